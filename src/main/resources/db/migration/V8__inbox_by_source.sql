-- The newest webhook of each vendor (clockrelay_last_webhook_age_seconds): one index lookup, however long the inbox.
CREATE INDEX inbox_source_received ON inbox (source, received_at);
