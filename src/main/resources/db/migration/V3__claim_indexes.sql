-- Claims take the oldest pending rows: (status, id) lets them start at the first pending row instead of walking
-- past every processed or delivered one, which made each claim slower as the tables grew.
DROP INDEX inbox_due;
DROP INDEX deliveries_due;
CREATE INDEX inbox_pending ON inbox (status, id);
CREATE INDEX deliveries_pending ON deliveries (status, id);
-- A claim then reads back the rows it leased by their claim token.
CREATE INDEX inbox_claim ON inbox (claim_token);
CREATE INDEX deliveries_claim ON deliveries (claim_token);
