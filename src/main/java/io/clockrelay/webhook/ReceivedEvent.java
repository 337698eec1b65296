package io.clockrelay.webhook;

/**
 * The identity of a received webhook: the de-duplication key (with the source) and the vendor's event name, and
 * the two keys that order it among the others: {@code orderingKey}, the employee it is about (null when the webhook
 * names none), and {@code recordKey}, the record it changes (null when it changes several). A webhook is never
 * mapped ahead of an earlier one that shares either key.
 *
 * <p>{@code idFromContent}: the vendor sent no event id, so {@code eventId} is a digest of the request. The same body
 * again is a retry only while it is the latest webhook about its subject; after another one it is a new change (an
 * edit A, then B, then A again), which the inbox stores under an id of its own.
 */
public record ReceivedEvent(String eventId, String eventType, String orderingKey, String recordKey, boolean idFromContent) {

    /** A webhook identified by the vendor's own event id. */
    public ReceivedEvent(String eventId, String eventType, String orderingKey, String recordKey) {
        this(eventId, eventType, orderingKey, recordKey, false);
    }
}
