package io.clockrelay.record;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** What kind of time a record is (null for records that are not time: a user, a project, a lump sum, a request). */
public enum TimeKind {
    /** Worked time. */
    WORK,
    /** A break in worked time. */
    BREAK,
    /** Time away from work: vacation, sickness, ... ({@link AbsenceType} says which). */
    ABSENCE,
    /** A scheduled shift: planned, not worked. */
    PLANNED;

    /** The word on the wire and in the payroll table: work, break, absence, planned. */
    @JsonValue
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
