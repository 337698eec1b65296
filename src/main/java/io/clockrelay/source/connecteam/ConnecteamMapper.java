package io.clockrelay.source.connecteam;

import com.fasterxml.jackson.databind.JsonNode;

import io.clockrelay.record.RecordBuilder;
import io.clockrelay.record.SourceEvent;
import io.clockrelay.record.RecordMapper;
import io.clockrelay.record.RecordMapping;
import io.clockrelay.record.TimeRecord;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.clockrelay.record.RecordBuilder.text;

/**
 * Connecteam's webhooks (vendor-docs/connecteam-*.txt and Connecteam's webhook pages) as canonical records.
 * Payloads come in the common envelope {@code {requestId, company, eventType, eventTimestamp, activityType, data}}
 * or, for time activity, flat as in the time-activity document's examples; both are read.
 */
public class ConnecteamMapper implements RecordMapper {

    /** Time-activity events that carry only {@code timeActivityId}: the activity is gone. */
    static final Set<String> TIME_ACTIVITY_DELETIONS = Set.of(
            "admin_delete", "admin_approved_delete_request", "admin_declined_request", "auto_approved_delete_request");
    static final Set<String> TIME_ACTIVITY_CHANGES = Set.of(
            "clock_in", "clock_out", "auto_clock_out", "admin_add", "admin_edit",
            "admin_approved_clock_out_outside_geo_fence_request", "admin_approved_add_request", "admin_approved_edit_request",
            "auto_approved_clock_out_outside_geo_fence_request", "auto_approved_add_request", "auto_approved_edit_request");
    /** Connecteam deletes the shift made at clock-in and creates the one these events carry. */
    static final Set<String> GEOFENCE_APPROVALS = Set.of(
            "admin_approved_clock_out_outside_geo_fence_request", "auto_approved_clock_out_outside_geo_fence_request");
    private static final Map<String, String> TIME_ACTIVITY_ENTITIES = Map.of("shift", "shift", "manual_break", "break", "time_off", "time_off");
    private static final Set<String> TIME_ACTIVITY_FIELDS = Set.of("id", "start", "end", "shiftAttachments");

    @Override
    public List<TimeRecord> map(SourceEvent event, JsonNode payload) {
        JsonNode data = payload.path("data");
        Instant occurredAt = epoch(payload.has("eventTimestamp") ? payload.get("eventTimestamp") : payload.get("evnetTimestamp"));
        String eventType = event.eventType();
        List<RecordBuilder> records = new ArrayList<>();
        if (TIME_ACTIVITY_DELETIONS.contains(eventType) || TIME_ACTIVITY_CHANGES.contains(eventType)) {
            timeActivity(event, payload, records);
        } else {
            switch (eventType) {
                case "user_created", "user_updated" -> objects(data).forEach(user -> users(event, user, records));
                case "user_deleted" -> userIds(data).forEach(id -> records.add(RecordBuilder.of(event, "user", id).userId(id).delete()));
                case "user_archived", "user_restored", "user_promoted", "user_demoted" -> userIds(data).forEach(id ->
                        records.add(RecordBuilder.of(event, "user", id).userId(id).attribute(userChange(eventType), userChangeValue(eventType))));
                case "shift_created", "shift_updated" -> objects(data.path("shifts")).forEach(shift -> add(records, scheduledShift(event, shift)));
                case "shift_deleted" -> ids(data.path("ids")).forEach(id -> records.add(RecordBuilder.of(event, "scheduled_shift", id).delete()));
                case "availability_status_created" -> objects(availabilities(payload)).forEach(status -> add(records, availability(event, status)));
                case "availability_status_deleted" -> availabilityIds(payload).forEach(id -> records.add(RecordBuilder.of(event, "availability", id).delete()));
                case "form_submission", "form_submission_edited", "manager_field_updated" -> formSubmission(event, data, records);
                case "task_published", "task_completed" -> objects(data).forEach(task -> add(records, task(event, task)));
                default -> { }
            }
        }
        if (records.isEmpty()) {
            // An event Connecteam added after this mapper was written, or one it could not place: forwarded whole.
            records.add(RecordBuilder.of(event, RecordMapping.UNKNOWN, event.eventId()).attribute("payload", payload));
        }
        boolean several = records.size() > 1;
        List<TimeRecord> mapped = new ArrayList<>();
        for (RecordBuilder record : records) {
            record.attribute("company", text(payload.get("company")));
            if (record.occurredAt() == null) {
                record.occurredAt(occurredAt);
            }
            if (several) {
                record.eventId(event.eventId() + "/" + record.entityId());
            }
            mapped.add(record.build());
        }
        return mapped;
    }

    /** A time activity from the envelope's data, or from the flat payload of the document's examples. */
    private static void timeActivity(SourceEvent event, JsonNode payload, List<RecordBuilder> records) {
        JsonNode fields = payload.path("data").isObject() && payload.path("data").size() > 0 ? payload.get("data") : payload;
        String activityType = firstText(fields.get("activityType"), payload.get("activityType"));
        String entity = TIME_ACTIVITY_ENTITIES.get(activityType);
        String userId = firstText(fields.get("userId"), payload.get("userId"));
        String timeClockId = firstText(fields.get("timeClockId"), payload.get("timeClockId"));
        if (entity == null) {
            return;
        }
        if (TIME_ACTIVITY_DELETIONS.contains(event.eventType())) {
            String id = text(fields.get("timeActivityId"));
            if (id != null) {
                records.add(RecordBuilder.of(event, entity, id).delete().userId(userId).attribute("timeClockId", timeClockId));
            }
            return;
        }
        JsonNode activity = fields.path("timeActivity");
        String id = text(activity.get("id"));
        if (id == null) {
            return;
        }
        Instant start = epoch(activity.path("start").get("timestamp"));
        Instant end = epoch(activity.path("end").get("timestamp"));
        RecordBuilder record = RecordBuilder.of(event, entity, id)
                .userId(userId)
                .start(start)
                .end(end)
                .timezone(firstText(activity.path("start").get("timezone"), activity.path("end").get("timezone")))
                .durationSeconds(start != null && end != null ? end.getEpochSecond() - start.getEpochSecond() : null)
                .attribute("timeClockId", timeClockId)
                .attribute("attachments", activity.get("shiftAttachments"))
                .attributesExcept(activity, TIME_ACTIVITY_FIELDS);
        if (GEOFENCE_APPROVALS.contains(event.eventType())) {
            record.attribute(TimeRecord.REPLACES_OVERLAPPING, true);
        }
        records.add(record);
    }

    private static void users(SourceEvent event, JsonNode user, List<RecordBuilder> records) {
        String id = text(user.get("userId"));
        if (id != null) {
            records.add(RecordBuilder.of(event, "user", id).userId(id).attributesExcept(user, Set.of("userId")));
        }
    }

    private static String userChange(String eventType) {
        return eventType.equals("user_promoted") || eventType.equals("user_demoted") ? "userType" : "isArchived";
    }

    private static Object userChangeValue(String eventType) {
        return switch (eventType) {
            case "user_promoted" -> "manager";
            case "user_demoted" -> "user";
            case "user_archived" -> true;
            default -> false;
        };
    }

    private static RecordBuilder scheduledShift(SourceEvent event, JsonNode shift) {
        JsonNode assigned = shift.path("assignedUserIds");
        if (text(shift.get("id")) == null) {
            return null;
        }
        return RecordBuilder.of(event, "scheduled_shift", text(shift.get("id")))
                .userId(assigned.isArray() && assigned.size() == 1 ? text(assigned.get(0)) : null)
                .start(epoch(shift.get("startTime")))
                .end(epoch(shift.get("endTime")))
                .timezone(text(shift.get("timezone")))
                .attributesExcept(shift, Set.of("id", "startTime", "endTime", "timezone"));
    }

    private static RecordBuilder availability(SourceEvent event, JsonNode status) {
        if (text(status.get("id")) == null) {
            return null;
        }
        return RecordBuilder.of(event, "availability", text(status.get("id")))
                .userId(text(status.get("userId")))
                .start(firstKnown(epoch(status.path("start").get("timestamp")), epoch(status.get("startTime"))))
                .end(firstKnown(epoch(status.path("end").get("timestamp")), epoch(status.get("endTime"))))
                .timezone(firstText(status.path("start").get("timezone"), status.get("timezone")))
                .attributesExcept(status, Set.of("id", "userId", "start", "end", "startTime", "endTime", "timezone"));
    }

    private static void formSubmission(SourceEvent event, JsonNode data, List<RecordBuilder> records) {
        String id = text(data.get("formSubmissionId"));
        if (id != null) {
            records.add(RecordBuilder.of(event, "form_submission", id)
                    .userId(text(data.get("submittingUserId")))
                    .timezone(text(data.get("submissionTimezone")))
                    .attributesExcept(data, Set.of("formSubmissionId", "submittingUserId", "submissionTimezone")));
        }
    }

    private static RecordBuilder task(SourceEvent event, JsonNode task) {
        JsonNode users = task.path("userIds");
        if (text(task.get("id")) == null) {
            return null;
        }
        return RecordBuilder.of(event, "task", text(task.get("id")))
                .userId(users.isArray() && users.size() == 1 ? text(users.get(0)) : null)
                .start(epoch(task.get("startTime")))
                .attributesExcept(task, Set.of("id", "startTime"));
    }

    /** Availability statuses sit in data.availabilityStatuses (or beside data, as the scheduler table may mean). */
    private static JsonNode availabilities(JsonNode payload) {
        JsonNode inData = payload.path("data").path("availabilityStatuses");
        return inData.isMissingNode() ? payload.path("availabilityStatuses") : inData;
    }

    private static List<String> availabilityIds(JsonNode payload) {
        List<String> ids = new ArrayList<>(ids(payload.path("data").path("ids")));
        for (JsonNode status : objects(availabilities(payload))) {
            String id = text(status.get("id"));
            if (id != null) {
                ids.add(id);
            }
        }
        return ids;
    }

    /** "User ID only" events: [{userId}], {userId}, [id] or {userIds: [...]}. */
    private static List<String> userIds(JsonNode data) {
        List<String> ids = new ArrayList<>(ids(data.path("userIds")));
        List<JsonNode> items = new ArrayList<>();
        if (data.isArray()) {
            data.forEach(items::add);
        } else if (data.has("userId")) {
            items.add(data);
        }
        for (JsonNode item : items) {
            String id = item.isObject() ? text(item.get("userId")) : text(item);
            if (id != null) {
                ids.add(id);
            }
        }
        return ids;
    }

    private static List<String> ids(JsonNode array) {
        List<String> ids = new ArrayList<>();
        if (array.isArray()) {
            array.forEach(id -> {
                if (text(id) != null) {
                    ids.add(text(id));
                }
            });
        }
        return ids;
    }

    /** The objects of an array (or a lone object), skipping anything else. */
    private static List<JsonNode> objects(JsonNode node) {
        List<JsonNode> objects = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(item -> {
                if (item.isObject()) {
                    objects.add(item);
                }
            });
        } else if (node.isObject() && node.size() > 0) {
            objects.add(node);
        }
        return objects;
    }

    private static void add(List<RecordBuilder> records, RecordBuilder record) {
        if (record != null) {
            records.add(record);
        }
    }

    /** Unix seconds, as Connecteam sends every time; null when absent or not a number. */
    static Instant epoch(JsonNode node) {
        return node != null && node.isNumber() ? Instant.ofEpochSecond(node.asLong()) : null;
    }

    private static String firstText(JsonNode preferred, JsonNode fallback) {
        String value = text(preferred);
        return value != null ? value : text(fallback);
    }

    private static Instant firstKnown(Instant preferred, Instant fallback) {
        return preferred != null ? preferred : fallback;
    }
}
