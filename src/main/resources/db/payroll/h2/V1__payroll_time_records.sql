-- The current state of each canonical record, one row per record_id (H2).
CREATE TABLE payroll_time_records (
    record_id        VARCHAR(400) PRIMARY KEY,
    source           VARCHAR(32)  NOT NULL,
    entity           VARCHAR(64)  NOT NULL,
    entity_id        VARCHAR(255) NOT NULL,
    user_id          VARCHAR(255),
    starts_at        TIMESTAMP WITH TIME ZONE,
    ends_at          TIMESTAMP WITH TIME ZONE,
    timezone         VARCHAR(64),
    duration_seconds BIGINT,
    deleted          BOOLEAN      NOT NULL DEFAULT FALSE,
    last_event_id    VARCHAR(400) NOT NULL,
    last_event_type  VARCHAR(255) NOT NULL,
    last_event_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    record           VARCHAR      NOT NULL
);
CREATE INDEX payroll_time_records_user ON payroll_time_records (user_id, starts_at);
