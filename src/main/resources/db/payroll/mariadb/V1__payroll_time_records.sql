-- The current state of each canonical record, one row per record_id (MariaDB).
-- MariaDB has no time-zone-aware type: every DATETIME here is UTC.
CREATE TABLE payroll_time_records (
    record_id        VARCHAR(400) NOT NULL PRIMARY KEY,
    source           VARCHAR(32)  NOT NULL,
    entity           VARCHAR(64)  NOT NULL,
    entity_id        VARCHAR(255) NOT NULL,
    user_id          VARCHAR(255),
    starts_at        DATETIME(6),
    ends_at          DATETIME(6),
    timezone         VARCHAR(64),
    duration_seconds BIGINT,
    deleted          BOOLEAN      NOT NULL DEFAULT FALSE,
    last_event_id    VARCHAR(400) NOT NULL,
    last_event_type  VARCHAR(255) NOT NULL,
    last_event_at    DATETIME(6)  NOT NULL,
    record           LONGTEXT     NOT NULL,
    KEY payroll_time_records_user (user_id, starts_at)
) DEFAULT CHARSET = utf8mb4;
