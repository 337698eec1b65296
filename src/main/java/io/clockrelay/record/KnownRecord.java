package io.clockrelay.record;

import java.time.Instant;
import java.time.LocalDate;

/** A record's state as clockrelay knows it: every change merged, newest first, what a partial change did not say kept. */
public record KnownRecord(String recordId, String userId, Instant start, Instant end, Long durationSeconds, LocalDate workDate,
                          boolean deleted, Instant lastEventAt, String fingerprint) {

    /**
     * This state with a change merged in by the rules every target keeps: the newest change wins; a partial one keeps
     * what is known, a complete one is all there is.
     */
    public KnownRecord merge(TimeRecord change) {
        boolean newer = lastEventAt == null || !change.occurredAt().isBefore(lastEventAt);
        if (newer && change.complete()) {
            return new KnownRecord(recordId, or(change.userId(), userId), change.start(), change.end(), change.durationSeconds(),
                    change.workDate(), false, change.occurredAt(), or(change.fingerprint(), fingerprint));
        }
        if (newer) {
            return new KnownRecord(recordId, or(change.userId(), userId), or(change.start(), start), or(change.end(), end),
                    or(change.durationSeconds(), durationSeconds), or(change.workDate(), workDate),
                    change.action() == TimeRecord.Action.delete, change.occurredAt(), or(change.fingerprint(), fingerprint));
        }
        return new KnownRecord(recordId, or(userId, change.userId()), or(start, change.start()), or(end, change.end()),
                or(durationSeconds, change.durationSeconds()), or(workDate, change.workDate()), deleted, lastEventAt,
                or(fingerprint, change.fingerprint()));
    }

    /** The state of a record first seen in this change. */
    public static KnownRecord of(TimeRecord change) {
        return new KnownRecord(change.recordId(), null, null, null, null, null, false, null, null).merge(change);
    }

    private static <T> T or(T preferred, T fallback) {
        return preferred != null ? preferred : fallback;
    }
}
