package io.clockrelay.record;

/**
 * What clockrelay last knew of the records it has produced (its merged state, newest change first), for a mapper
 * whose vendor sends a change without the whole record: the start a duration change moves the end from, the day and
 * employee of a change request that has since disappeared.
 */
public interface KnownRecords {

    /** Nothing is known: every record is new. */
    KnownRecords NONE = recordId -> null;

    /** The record's state as clockrelay last knew it, or null when it never produced it. */
    KnownRecord get(String recordId);
}
