-- Which instance delivered each record (CLOCKRELAY_INSTANCE, or <pid>@<host>): the claim token that named it is
-- cleared once the delivery is done.
ALTER TABLE deliveries ADD COLUMN delivered_by VARCHAR(64);
