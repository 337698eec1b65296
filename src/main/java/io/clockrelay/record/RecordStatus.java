package io.clockrelay.record;

/**
 * Where a record stands in its vendor's approval (requested, approved, declined, cancelled), a timesheet's
 * (submitted, approved, reopened) or a day's lock (locked, unlocked). Null for what the vendor does not approve: it
 * simply happened. What to pay: {@code status IS NULL OR status = 'approved'}.
 */
public enum RecordStatus {
    requested, approved, declined, cancelled, submitted, reopened, locked, unlocked
}
