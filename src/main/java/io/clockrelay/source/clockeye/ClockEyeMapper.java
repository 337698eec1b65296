package io.clockrelay.source.clockeye;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.clockrelay.record.RecordBuilder;
import io.clockrelay.record.SourceEvent;
import io.clockrelay.record.RecordMapper;
import io.clockrelay.record.RecordMapping;
import io.clockrelay.record.TimeRecord;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import static io.clockrelay.record.RecordBuilder.instant;
import static io.clockrelay.record.RecordBuilder.number;
import static io.clockrelay.record.RecordBuilder.text;

/**
 * ClockEye's nine events (vendor-docs/clockeye-webhooks.txt) as canonical records. {@code time_entry.updated}
 * carries only {@code changes}, so its record carries only what changed.
 */
public class ClockEyeMapper implements RecordMapper {

    /** The entity each event type is about, by the part of its name before the dot; null for types not known. */
    static String entityOf(String eventType) {
        return switch (eventType) {
            case "time_entry.created", "time_entry.updated", "time_entry.deleted" -> "time_entry";
            case "screenshot.captured" -> "screenshot";
            case "user.invited", "user.activated" -> "user";
            case "project.created" -> "project";
            case "timesheet.submitted", "timesheet.approved" -> "timesheet";
            default -> null;
        };
    }

    private static final Set<String> TIME_ENTRY_FIELDS = Set.of("id", "user_id", "start_time", "end_time", "duration");

    @Override
    public List<TimeRecord> map(SourceEvent event, JsonNode payload) {
        JsonNode data = payload.path("data");
        Instant createdAt = instant(payload.get("created_at"));
        String id = text(data.get("id"));
        // Without data.id a known event cannot be placed either: it travels, whole, as unknown.
        String eventType = id == null ? RecordMapping.UNKNOWN : event.eventType();
        RecordBuilder record = switch (eventType) {
            case "time_entry.created" -> timeEntry(event, id, data).occurredAt(createdAt);
            case "time_entry.updated" -> timeEntry(event, id, changes(data.path("changes")))
                    .occurredAt(firstKnown(instant(data.get("updated_at")), createdAt));
            case "time_entry.deleted" -> RecordBuilder.of(event, "time_entry", id).delete()
                    .occurredAt(firstKnown(instant(data.get("deleted_at")), createdAt));
            case "screenshot.captured" -> RecordBuilder.of(event, "screenshot", id)
                    .userId(text(data.get("user_id")))
                    .start(createdAt)
                    .attributesExcept(data, Set.of("id", "user_id"))
                    .occurredAt(createdAt);
            case "user.invited" -> RecordBuilder.of(event, "user", id).userId(id)
                    .attribute("status", "invited")
                    .attributesExcept(data, Set.of("id"))
                    .occurredAt(createdAt);
            case "user.activated" -> RecordBuilder.of(event, "user", id).userId(id)
                    .attribute("status", "active")
                    .attributesExcept(data, Set.of("id"))
                    .occurredAt(firstKnown(instant(data.get("activated_at")), createdAt));
            case "project.created" -> RecordBuilder.of(event, "project", id)
                    .attributesExcept(data, Set.of("id"))
                    .occurredAt(createdAt);
            case "timesheet.submitted" -> timesheetSubmitted(event, id, data).occurredAt(createdAt);
            case "timesheet.approved" -> RecordBuilder.of(event, "timesheet", id)
                    .attribute("status", "approved")
                    .attributesExcept(data, Set.of("id"))
                    .occurredAt(firstKnown(instant(data.get("approved_at")), createdAt));
            default -> RecordBuilder.of(event, RecordMapping.UNKNOWN, event.eventId())
                    .attribute("payload", payload)
                    .occurredAt(createdAt);
        };
        return List.of(record.build());
    }

    /** A time entry from the fields it carries; the end is the start plus the duration when ClockEye gives no end. */
    private static RecordBuilder timeEntry(SourceEvent event, String id, JsonNode fields) {
        Instant start = instant(fields.get("start_time"));
        Long duration = number(fields.get("duration"));
        Instant end = instant(fields.get("end_time"));
        if (end == null && start != null && duration != null && duration > 0) {
            end = start.plusSeconds(duration);
        }
        return RecordBuilder.of(event, "time_entry", id)
                .userId(text(fields.get("user_id")))
                .start(start)
                .end(end)
                .durationSeconds(duration)
                .attributesExcept(fields, TIME_ENTRY_FIELDS);
    }

    /** A timesheet covers whole days: start at the first day's midnight UTC, end (exclusive) after the last day. */
    private static RecordBuilder timesheetSubmitted(SourceEvent event, String id, JsonNode data) {
        Instant periodEnd = instant(data.get("period_end"));
        boolean endIsDate = text(data.get("period_end")) != null && text(data.get("period_end")).length() == 10;
        JsonNode totalHours = data.get("total_hours");
        return RecordBuilder.of(event, "timesheet", id)
                .userId(text(data.get("user_id")))
                .start(instant(data.get("period_start")))
                .end(periodEnd != null && endIsDate ? periodEnd.plusSeconds(86_400) : periodEnd)
                .durationSeconds(totalHours != null && totalHours.isNumber() ? Math.round(totalHours.asDouble() * 3600) : null)
                .attribute("status", "submitted")
                .attributesExcept(data, Set.of("id", "user_id"));
    }

    /**
     * ClockEye's {@code changes} as the fields they set. A change given as {@code {"from": a, "to": b}} (or
     * {@code old}/{@code new}) counts as its new value.
     */
    private static JsonNode changes(JsonNode changes) {
        if (!changes.isObject()) {
            return changes;
        }
        ObjectNode fields = changes.deepCopy();
        changes.properties().forEach(change -> {
            JsonNode value = change.getValue();
            if (value.isObject() && (value.has("to") || value.has("new"))) {
                fields.set(change.getKey(), value.has("to") ? value.get("to") : value.get("new"));
            }
        });
        return fields;
    }

    private static Instant firstKnown(Instant preferred, Instant fallback) {
        return preferred != null ? preferred : fallback;
    }
}
