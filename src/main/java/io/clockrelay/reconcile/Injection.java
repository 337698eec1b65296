package io.clockrelay.reconcile;

/**
 * An event reconciliation puts into the inbox, as a webhook would have come: event type {@code reconciled}, an
 * event id made of the record and the fingerprint of what the vendor holds (so that a rerun with nothing changed
 * stores nothing), the ordering keys a webhook about it would have, and a payload the vendor's mapper maps without
 * asking the vendor's API again.
 */
public record Injection(String eventId, String orderingKey, String recordKey, String payload) {

    public static final String EVENT_TYPE = "reconciled";
}
