package io.clockrelay.reconcile;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * One vendor's side of reconciliation, in the vendor's package: what its API lists for a time range, each entity
 * as the record it becomes and the webhook-like event that heals it, and the event that deletes a record the vendor
 * no longer lists. The events are mapped by the vendor's own mapper, in order with the webhooks.
 */
public interface Reconciler {

    /** The source, as in the records: clockodo, connecteam. */
    String source();

    /** Whether its API can be asked (its credentials are set); else {@link #notConfigured()} says what to set. */
    boolean isConfigured();

    String notConfigured();

    /** The record entities a listing covers completely: the records of these that it does not list are gone. */
    Set<String> entities();

    /**
     * Everything the vendor's API holds for the range, read to the end (every page, every time clock). Throws when
     * the API fails (429, 5xx, a timeout): then nothing is compared, and nothing deleted.
     */
    List<Listed> list(Instant since, Instant until) throws Exception;

    /** The event that deletes a record the vendor no longer lists. */
    Injection deletion(String entity, String entityId, String userId, Instant at);

    /** An entity the vendor lists: its record id, the fingerprint of its content, and the event that brings it in. */
    record Listed(String recordId, String fingerprint, Injection injection) {
    }
}
