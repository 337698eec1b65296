package io.clockrelay.record;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Builds the canonical record of one change, so that a vendor mapper only says what the vendor's fields mean. */
public final class RecordBuilder {

    private final SourceEvent event;
    private String eventId;
    private String entity;
    private String entityId;
    private TimeRecord.Action action = TimeRecord.Action.upsert;
    private String userId;
    private Instant start;
    private Instant end;
    private String timezone;
    private Long durationSeconds;
    private Instant occurredAt;
    private final Map<String, Object> attributes = new LinkedHashMap<>();

    private RecordBuilder(SourceEvent event) {
        this.event = event;
        this.eventId = event.eventId();
    }

    public static RecordBuilder of(SourceEvent event, String entity, String entityId) {
        RecordBuilder builder = new RecordBuilder(event);
        builder.entity = entity;
        builder.entityId = entityId;
        return builder;
    }

    /** For a webhook that carries several records: each needs an event id of its own. */
    public RecordBuilder eventId(String eventId) {
        this.eventId = eventId;
        return this;
    }

    public RecordBuilder delete() {
        this.action = TimeRecord.Action.delete;
        return this;
    }

    public RecordBuilder userId(String userId) {
        this.userId = userId;
        return this;
    }

    public RecordBuilder start(Instant start) {
        this.start = start;
        return this;
    }

    public RecordBuilder end(Instant end) {
        this.end = end;
        return this;
    }

    public RecordBuilder timezone(String timezone) {
        this.timezone = timezone;
        return this;
    }

    public RecordBuilder durationSeconds(Long durationSeconds) {
        this.durationSeconds = durationSeconds;
        return this;
    }

    public RecordBuilder occurredAt(Instant occurredAt) {
        this.occurredAt = occurredAt;
        return this;
    }

    public RecordBuilder attribute(String name, Object value) {
        if (value instanceof JsonNode node && node.isNull()) {
            return this;
        }
        if (value != null) {
            attributes.put(name, value);
        }
        return this;
    }

    /** Every field of {@code node} except those the record already carries in its own fields. */
    public RecordBuilder attributesExcept(JsonNode node, Set<String> mapped) {
        if (node != null && node.isObject()) {
            node.properties().forEach(field -> {
                if (!mapped.contains(field.getKey())) {
                    attribute(field.getKey(), field.getValue());
                }
            });
        }
        return this;
    }

    public String entityId() {
        return entityId;
    }

    public Instant occurredAt() {
        return occurredAt;
    }

    public TimeRecord build() {
        String source = event.source();
        return new TimeRecord(source + ":" + entity + ":" + entityId, eventId, source, event.eventType(), action, entity,
                entityId, userId, start, end, timezone, durationSeconds,
                occurredAt != null ? occurredAt : event.receivedAt(), event.receivedAt(), attributes);
    }

    /** A JSON value as text (numbers included, as vendors' ids are sometimes numbers), or null. */
    public static String text(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode() || node.isContainerNode()) {
            return null;
        }
        return node.asText();
    }

    /** An ISO-8601 instant, offset date-time, or date (the start of that day in UTC); null when absent or unreadable. */
    public static Instant instant(JsonNode node) {
        String text = text(node);
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException notDateTime) {
            try {
                return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException notDate) {
                return null;
            }
        }
    }

    /** A whole number, or null when absent or not a number. */
    public static Long number(JsonNode node) {
        if (node == null || !node.isNumber()) {
            return null;
        }
        return node.asLong();
    }
}
