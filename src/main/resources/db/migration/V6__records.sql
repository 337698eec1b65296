-- What clockrelay knows of every record it has produced: its state merged from every change (the newest wins, a
-- partial change keeps what is known), written in the process stage's transaction with the record's deliveries.
-- Mappers read it where a vendor sends a change without the whole record; reconciliation compares each entity the
-- vendor's API lists with its fingerprint (a digest of the vendor's content) to find what was missed or changed.
CREATE TABLE records (
    record_id        VARCHAR(400) PRIMARY KEY,
    source           VARCHAR(32)  NOT NULL,
    entity           VARCHAR(64)  NOT NULL,
    entity_id        VARCHAR(255) NOT NULL,
    user_id          VARCHAR(255),
    starts_at        TIMESTAMP WITH TIME ZONE,
    ends_at          TIMESTAMP WITH TIME ZONE,
    duration_seconds BIGINT,
    work_date        DATE,
    deleted          BOOLEAN      NOT NULL,
    last_event_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    fingerprint      VARCHAR(64)
);
CREATE INDEX records_by_day ON records (source, entity, work_date);
