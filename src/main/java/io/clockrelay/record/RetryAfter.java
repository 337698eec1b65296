package io.clockrelay.record;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** A failure that knows when to try again (a vendor API's Retry-After): the next attempt waits at least that long. */
public interface RetryAfter {

    Duration retryAfter();

    /** True: try again after exactly {@link #retryAfter()}, even if the usual back-off would wait longer. */
    default boolean exact() {
        return false;
    }

    /** An HTTP Retry-After value, in seconds or as an HTTP date; null when absent or unreadable. */
    static Duration parse(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim())));
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                return at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO;
            } catch (DateTimeParseException notDate) {
                return null;
            }
        }
    }
}
