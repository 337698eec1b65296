package io.clockrelay.inbox;

import java.time.Instant;

/** An inbox row claimed by the process stage: a webhook as it was received. */
public record InboxEvent(long id, String source, String eventId, String eventType, Instant receivedAt,
                         String payload, int attempts, String claimToken) {
}
