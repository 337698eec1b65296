package io.clockrelay.source.clockeye;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clockrelay.record.Fields;
import io.clockrelay.record.KnownRecord;
import io.clockrelay.record.KnownRecords;
import io.clockrelay.record.RecordBuilder;
import io.clockrelay.record.RecordMapper;
import io.clockrelay.record.RecordMapping;
import io.clockrelay.record.RecordStatus;
import io.clockrelay.record.SourceEvent;
import io.clockrelay.record.TimeKind;
import io.clockrelay.record.TimeRecord;
import io.clockrelay.record.Unmappable;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;

import static io.clockrelay.record.Fields.text;

/**
 * ClockEye's nine events (vendor-docs/clockeye-webhooks.txt) as canonical records. ClockEye gives no time zone:
 * work dates are UTC days. {@code time_entry.updated} carries only {@code changes}: its record carries what changed,
 * and the end that a change of the start or the duration moves (ClockEye's end is always start + duration).
 */
public class ClockEyeMapper implements RecordMapper {

    private static final Set<String> TIME_ENTRY_FIELDS = Set.of("id", "user_id", "start_time", "end_time", "duration");

    /** The entity each event type is about; null for types not known. */
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

    @Override
    public List<TimeRecord> map(SourceEvent event, JsonNode payload, KnownRecords known) {
        JsonNode data = payload.path("data");
        Instant createdAt = Fields.instant(payload.get("created_at"), "created_at");
        String id = text(data.get("id"));
        String entity = entityOf(event.eventType());
        if (entity == null || id == null) {
            // A type ClockEye added later, or one without data.id: it travels, whole, as unknown.
            return List.of(RecordBuilder.of(event, RecordMapping.UNKNOWN, event.eventId()).attribute("payload", payload)
                    .occurredAt(createdAt).build());
        }
        RecordBuilder record = RecordBuilder.of(event, entity, id);
        // Whole: what the event states of the entity is all there is. An update's changes, a deletion and an
        // approval say only what changed.
        switch (event.eventType()) {
            case "time_entry.created" -> created(record.whole(data), data).occurredAt(createdAt);
            case "time_entry.updated" -> updated(record, changes(data.path("changes")), known.get("clockeye:time_entry:" + id))
                    .occurredAt(first(Fields.instant(data.get("updated_at"), "data.updated_at"), createdAt));
            case "time_entry.deleted" -> record.delete().occurredAt(first(Fields.instant(data.get("deleted_at"), "data.deleted_at"), createdAt));
            case "screenshot.captured" -> record.whole(data).userId(text(data.get("user_id"))).start(createdAt)
                    .attributesExcept(data, Set.of("id", "user_id")).occurredAt(createdAt);
            case "user.invited" -> record.userId(id).attribute("status", "invited").attributesExcept(data, Set.of("id")).occurredAt(createdAt);
            case "user.activated" -> record.userId(id).attribute("status", "active").attributesExcept(data, Set.of("id"))
                    .occurredAt(first(Fields.instant(data.get("activated_at"), "data.activated_at"), createdAt));
            case "project.created" -> record.whole(data).attributesExcept(data, Set.of("id")).occurredAt(createdAt);
            case "timesheet.submitted" -> timesheetSubmitted(record.whole(data), data).occurredAt(createdAt);
            default -> record.status(RecordStatus.approved).attributesExcept(data, Set.of("id"))
                    .occurredAt(first(Fields.instant(data.get("approved_at"), "data.approved_at"), createdAt));
        }
        return List.of(record.build());
    }

    /** A new time entry: worked time from its start for its duration; the end is the start plus the duration. */
    private static RecordBuilder created(RecordBuilder record, JsonNode data) {
        Instant start = Fields.instant(data.get("start_time"), "data.start_time");
        if (start == null) {
            throw new Unmappable("data.start_time is missing: a time entry cannot be paid without its start");
        }
        Long duration = Fields.seconds(data.get("duration"), "data.duration");
        Instant end = Fields.instant(data.get("end_time"), "data.end_time");
        return record.userId(text(data.get("user_id")))
                .timeKind(TimeKind.WORK)
                .start(start)
                .end(end != null ? end : endOf(start, duration))
                .durationSeconds(duration)
                .workDateOf(start, null)
                .attributesExcept(data, TIME_ENTRY_FIELDS);
    }

    /**
     * What {@code changes} changed. A change of the start or the duration moves the end (start + duration, from what
     * clockrelay knows of the entry for the part that did not change), so that no row reads 09:00–10:00 for 5,400 s.
     */
    private static RecordBuilder updated(RecordBuilder record, JsonNode changes, KnownRecord entry) {
        Instant start = Fields.instant(changes.get("start_time"), "data.changes.start_time");
        Long duration = Fields.seconds(changes.get("duration"), "data.changes.duration");
        Instant end = Fields.instant(changes.get("end_time"), "data.changes.end_time");
        if (end == null && (start != null || duration != null) && entry != null) {
            end = endOf(start != null ? start : entry.start(), duration != null ? duration : entry.durationSeconds());
        }
        return record.userId(text(changes.get("user_id")))
                .timeKind(TimeKind.WORK)
                .start(start)
                .end(end)
                .durationSeconds(duration)
                .workDateOf(start, null)
                .attributesExcept(changes, TIME_ENTRY_FIELDS);
    }

    private static Instant endOf(Instant start, Long duration) {
        return start != null && duration != null && duration > 0 ? start.plusSeconds(duration) : null;
    }

    /** A timesheet covers whole days: from the first day's midnight UTC to the midnight after the last day. */
    private static RecordBuilder timesheetSubmitted(RecordBuilder record, JsonNode data) {
        LocalDate first = day(data.get("period_start"), "data.period_start");
        LocalDate last = day(data.get("period_end"), "data.period_end");
        BigDecimal hours = Fields.decimal(data.get("total_hours"), "data.total_hours");
        return record.userId(text(data.get("user_id")))
                .status(RecordStatus.submitted)
                .start(first == null ? null : first.atStartOfDay(java.time.ZoneOffset.UTC).toInstant())
                .end(last == null ? null : last.plusDays(1).atStartOfDay(java.time.ZoneOffset.UTC).toInstant())
                .workDate(first)
                .durationSeconds(hours == null ? null : Fields.seconds(new com.fasterxml.jackson.databind.node.DecimalNode(
                        hours.multiply(BigDecimal.valueOf(3600))), "data.total_hours"))
                .attributesExcept(data, Set.of("id", "user_id"));
    }

    /** A day given as a date, or as an instant (its UTC day). */
    private static LocalDate day(JsonNode node, String path) {
        String value = text(node);
        if (value == null) {
            return null;
        }
        return value.trim().length() == 10 ? Fields.date(node, path) : Fields.instant(node, path).atZone(java.time.ZoneOffset.UTC).toLocalDate();
    }

    /** ClockEye's {@code changes} as the fields they set; a change given as {@code {"from": a, "to": b}} (or old/new) counts as its new value. */
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

    private static Instant first(Instant preferred, Instant fallback) {
        return preferred != null ? preferred : fallback;
    }
}
