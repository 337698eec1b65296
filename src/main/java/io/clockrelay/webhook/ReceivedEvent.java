package io.clockrelay.webhook;

/** The identity of a received webhook: the de-duplication key (with the source) and the vendor's event name. */
public record ReceivedEvent(String eventId, String eventType) {
}
