package io.clockrelay.delivery;

import java.time.Instant;

/** A claimed (record, target) pair: the record as JSON, on its way to the target's route. */
public record Delivery(long id, String target, String eventId, String recordId, String orderingKey, String source,
                       String entity, String eventType, String record, int attempts, Instant createdAt, String claimToken) {
}
