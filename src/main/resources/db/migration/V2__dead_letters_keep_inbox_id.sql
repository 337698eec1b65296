-- A replayed dead letter becomes a delivery again, which names the webhook it came from.
ALTER TABLE dead_letters ADD COLUMN inbox_id BIGINT;
