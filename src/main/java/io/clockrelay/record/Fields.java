package io.clockrelay.record;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * Reads a vendor's field for a record. Absent or null gives null: a partial change does not say it. Present but
 * unreadable, or out of any plausible range, is {@link Unmappable}: the webhook is set aside with the field's path
 * and value in the reason, never half-mapped, never retried in silence.
 */
public final class Fields {

    /** Instants a record may hold: from 1970 until 2200; anything else is a vendor's bug or junk. */
    static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
    static final Instant LATEST = Instant.parse("2200-01-01T00:00:00Z");
    /** A worked or absent span, a timesheet's total: at most a year. */
    static final long MAX_SECONDS = Duration.ofDays(366).toSeconds();

    private Fields() {
    }

    /** A JSON value as text (numbers included, as vendors' ids are sometimes numbers), or null; never a container. */
    public static String text(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode() || node.isContainerNode()) {
            return null;
        }
        return node.asText();
    }

    /** An ISO-8601 instant or offset date-time (as {@code 2024-01-15T09:00:00Z}). */
    public static Instant instant(JsonNode node, String path) {
        String text = text(node);
        if (text == null) {
            return null;
        }
        try {
            return inRange(OffsetDateTime.parse(text.trim()).toInstant(), path, text);
        } catch (DateTimeParseException notDateTime) {
            throw unreadable(path, node, "an ISO-8601 instant such as 2024-01-15T09:00:00Z");
        }
    }

    /** A calendar day, {@code YYYY-MM-DD}. */
    public static LocalDate date(JsonNode node, String path) {
        String text = text(node);
        if (text == null) {
            return null;
        }
        try {
            LocalDate date = LocalDate.parse(text.trim());
            inRange(date.atStartOfDay(ZoneOffset.UTC).toInstant(), path, text);
            return date;
        } catch (DateTimeParseException notDate) {
            throw unreadable(path, node, "a date such as 2024-01-15");
        }
    }

    /** Unix seconds, as Connecteam sends every time. */
    public static Instant epochSeconds(JsonNode node, String path) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw unreadable(path, node, "whole Unix seconds");
        }
        long seconds = node.asLong();
        if (seconds < EARLIEST.getEpochSecond() || seconds >= LATEST.getEpochSecond()) {
            throw unreadable(path, node, "Unix seconds between 1970 and 2200");
        }
        return Instant.ofEpochSecond(seconds);
    }

    /** A number of seconds, from 0 to a year; a fraction is rounded. */
    public static Long seconds(JsonNode node, String path) {
        BigDecimal value = decimal(node, path);
        if (value == null) {
            return null;
        }
        if (value.signum() < 0 || value.compareTo(BigDecimal.valueOf(MAX_SECONDS)) > 0) {
            throw unreadable(path, node, "seconds from 0 to " + MAX_SECONDS);
        }
        return value.setScale(0, java.math.RoundingMode.HALF_UP).longValueExact();
    }

    /** A number (a JSON number, or a string holding one). */
    public static BigDecimal decimal(JsonNode node, String path) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        try {
            BigDecimal value = node.isNumber() ? node.decimalValue() : node.isTextual() ? new BigDecimal(node.textValue().trim()) : null;
            if (value != null && value.abs().compareTo(BigDecimal.valueOf(1_000_000_000L)) < 0) {
                return value;
            }
        } catch (NumberFormatException notANumber) {
            // said below
        }
        throw unreadable(path, node, "a number");
    }

    /** An IANA time zone, such as Europe/Vienna. */
    public static ZoneId zone(String zone, String path) {
        if (zone == null || zone.isBlank()) {
            return null;
        }
        try {
            return ZoneId.of(zone.trim());
        } catch (DateTimeException notAZone) {
            throw new Unmappable(path + " is '" + printable(zone) + "', not a time zone such as Europe/Vienna");
        }
    }

    static Instant inRange(Instant instant, String path, String text) {
        if (instant.isBefore(EARLIEST) || !instant.isBefore(LATEST)) {
            throw new Unmappable(path + " is '" + printable(text) + "', outside 1970 to 2200");
        }
        return instant;
    }

    private static Unmappable unreadable(String path, JsonNode node, String expected) {
        return new Unmappable(path + " is " + printable(node.toString()) + ", not " + expected);
    }

    /** A value as it may appear in a reason: printable, at most 60 characters. */
    public static String printable(String value) {
        String cut = value.length() > 60 ? value.substring(0, 60) + "…" : value;
        return cut.replaceAll("[^\\x20-\\x7e…]", "?");
    }
}
