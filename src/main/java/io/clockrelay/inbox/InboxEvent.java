package io.clockrelay.inbox;

import io.clockrelay.record.SourceEvent;

import java.time.Instant;

/**
 * An inbox row claimed by a stage: a webhook as it was received. {@code orderingKey} (the employee) and {@code recordKey} (the record) keep the
 * webhooks that share one of them in the order they were accepted.
 */
public record InboxEvent(long id, String source, String eventId, String eventType, String orderingKey, String recordKey, Instant receivedAt,
                         String payload, int attempts, String claimToken) {

    /** Its ordering keys, those it has. */
    public java.util.List<String> keys() {
        java.util.List<String> keys = new java.util.ArrayList<>(2);
        if (orderingKey != null) {
            keys.add(orderingKey);
        }
        if (recordKey != null) {
            keys.add(recordKey);
        }
        return keys;
    }

    /** What the vendor's mapper is told about this webhook. */
    public SourceEvent sourceEvent() {
        return new SourceEvent(source, eventId, eventType, receivedAt, attempts);
    }
}
