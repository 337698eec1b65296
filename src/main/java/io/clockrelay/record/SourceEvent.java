package io.clockrelay.record;

import java.time.Instant;

/**
 * What a mapper is given besides the payload: which vendor sent the webhook, its event id and type as received,
 * when clockrelay received it, and how many times mapping it was tried before (a mapper that waits for a vendor's
 * API to catch up gives up waiting after a few tries).
 */
public record SourceEvent(String source, String eventId, String eventType, Instant receivedAt, int attempts) {
}
