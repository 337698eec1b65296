-- Order per employee and per record through crashes and retries: a webhook is claimed only when no earlier pending
-- one shares its ordering key (the employee) or its record key. Derived at receive time; null when unknown.
ALTER TABLE inbox ADD COLUMN ordering_key VARCHAR(400);
ALTER TABLE inbox ADD COLUMN record_key VARCHAR(400);
CREATE INDEX inbox_ordering_key ON inbox (ordering_key, status, id);
CREATE INDEX inbox_record_key ON inbox (record_key, status, id);
-- A webhook set aside (status 'failed') because it can never be mapped: when, and why (last_error).
ALTER TABLE inbox ADD COLUMN failed_at TIMESTAMP WITH TIME ZONE;
CREATE INDEX inbox_failed ON inbox (status, failed_at);
