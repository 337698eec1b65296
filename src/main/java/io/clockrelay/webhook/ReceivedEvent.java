package io.clockrelay.webhook;

/**
 * The identity of a received webhook: the de-duplication key (with the source) and the vendor's event name, and
 * the two keys that order it among the others: {@code orderingKey}, the employee it is about (null when the webhook
 * names none), and {@code recordKey}, the record it changes (null when it changes several). A webhook is never
 * mapped ahead of an earlier one that shares either key.
 */
public record ReceivedEvent(String eventId, String eventType, String orderingKey, String recordKey) {
}
