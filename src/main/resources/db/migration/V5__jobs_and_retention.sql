-- Jobs that one instance at a time runs for all (retention, reconciliation): who holds each, until when, and how
-- its runs went. A job's row is created by its first run.
CREATE TABLE clockrelay_jobs (
    name             VARCHAR(64)  PRIMARY KEY,
    holder           VARCHAR(64),
    lease_until      TIMESTAMP WITH TIME ZONE,
    last_started_at  TIMESTAMP WITH TIME ZONE,
    last_finished_at TIMESTAMP WITH TIME ZONE,
    last_success_at  TIMESTAMP WITH TIME ZONE,
    last_error       VARCHAR(2000)
);
-- Retention: a processed webhook's payload is removed after CLOCKRELAY_RETENTION_DAYS and the row becomes
-- status 'expired': it stays as the de-duplication key (source, event_id) until CLOCKRELAY_DEDUPLICATION_DAYS, so
-- that a vendor's late retry, or a captured request replayed after the payload is gone, is still a duplicate.
ALTER TABLE inbox ALTER COLUMN payload DROP NOT NULL;
