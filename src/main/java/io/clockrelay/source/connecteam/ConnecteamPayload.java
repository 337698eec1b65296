package io.clockrelay.source.connecteam;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.clockrelay.record.Fields.text;

/**
 * Where a Connecteam webhook keeps what: the common envelope {@code {requestId, company, eventType, eventTimestamp,
 * activityType, data}}, the flat time-activity shape ({@code userId, timeClockId, timeActivity | timeActivityId} at
 * the top), and the availability events with {@code availabilityStatuses} at the top. Read by the event reader
 * (ordering keys) and the mapper alike.
 */
final class ConnecteamPayload {

    /** Time-activity types and the entity of their records. */
    static final Map<String, String> TIME_ACTIVITY_ENTITIES = Map.of("shift", "shift", "manual_break", "break", "time_off", "time_off");

    final JsonNode root;
    final String eventType;

    ConnecteamPayload(JsonNode root) {
        this.root = root;
        this.eventType = text(root.get("eventType"));
    }

    /** The object that holds a time activity's fields: {@code data} in the envelope, the payload itself when flat. */
    JsonNode fields() {
        JsonNode data = root.path("data");
        return data.isObject() && data.size() > 0 ? data : root;
    }

    String activityType() {
        return firstText(fields().get("activityType"), root.get("activityType"));
    }

    /**
     * A time-activity webhook: one of its events, or a timesheet period's. (Not every payload whose activityType is
     * "shift" is one: the scheduler's shift events say so too.)
     */
    boolean isTimeActivity() {
        return ConnecteamMapper.isTimeActivityEvent(eventType) || "timesheet_period".equals(activityType());
    }

    String userId() {
        return firstText(fields().get("userId"), root.get("userId"));
    }

    String timeClockId() {
        return firstText(fields().get("timeClockId"), root.get("timeClockId"));
    }

    JsonNode timeActivity() {
        return fields().path("timeActivity");
    }

    /** The activity's id: {@code timeActivity.id}, or {@code timeActivityId} of the events that carry only that. */
    String timeActivityId() {
        return firstText(timeActivity().get("id"), fields().get("timeActivityId"));
    }

    /** Availability statuses: at the top level (as Connecteam's API description has them) or in {@code data}. */
    JsonNode availabilityStatuses() {
        JsonNode top = root.path("availabilityStatuses");
        return top.isMissingNode() ? root.path("data").path("availabilityStatuses") : top;
    }

    /** The one employee this webhook is about, or null when it names none or several. */
    String soleUserId() {
        if (isTimeActivity()) {
            return userId();
        }
        JsonNode data = root.path("data");
        List<String> users = new ArrayList<>();
        switch (eventType == null ? "" : eventType) {
            case "form_submission", "form_submission_edited", "manager_field_updated" -> add(users, data.get("submittingUserId"));
            case "user_created", "user_updated", "user_archived", "user_restored", "user_deleted", "user_promoted", "user_demoted" -> {
                for (JsonNode user : objectsOrIds(data)) {
                    add(users, user.isObject() ? user.get("userId") : user);
                }
                data.path("userIds").forEach(id -> add(users, id));
            }
            case "shift_created", "shift_updated" -> data.path("shifts").forEach(shift -> shift.path("assignedUserIds").forEach(id -> add(users, id)));
            case "availability_status_created", "availability_status_deleted" -> availabilityStatuses().forEach(status -> add(users, status.get("userId")));
            case "task_published", "task_completed" -> objectsOrIds(data).forEach(task -> task.path("userIds").forEach(id -> add(users, id)));
            default -> { }
        }
        return users.stream().distinct().count() == 1 ? users.get(0) : null;
    }

    /** The one thing ({entity, id}) this webhook changes, or null when it changes none or several. */
    String[] soleSubject() {
        if (isTimeActivity()) {
            String entity = TIME_ACTIVITY_ENTITIES.get(activityType());
            String id = timeActivityId();
            return entity == null || id == null ? null : new String[] {entity, id};
        }
        JsonNode data = root.path("data");
        List<String> ids = new ArrayList<>();
        String entity;
        switch (eventType == null ? "" : eventType) {
            case "form_submission", "form_submission_edited", "manager_field_updated" -> {
                entity = "form_submission";
                add(ids, data.get("formSubmissionId"));
            }
            case "shift_created", "shift_updated" -> {
                entity = "scheduled_shift";
                data.path("shifts").forEach(shift -> add(ids, shift.get("id")));
            }
            case "shift_deleted" -> {
                entity = "scheduled_shift";
                data.path("ids").forEach(id -> add(ids, id));
            }
            case "task_published", "task_completed" -> {
                entity = "task";
                objectsOrIds(data).forEach(task -> add(ids, task.get("id")));
            }
            default -> entity = null;
        }
        return entity != null && ids.size() == 1 ? new String[] {entity, ids.get(0)} : null;
    }

    private static List<JsonNode> objectsOrIds(JsonNode node) {
        List<JsonNode> items = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(items::add);
        } else if (node.isObject() && node.size() > 0) {
            items.add(node);
        }
        return items;
    }

    private static void add(List<String> values, JsonNode node) {
        String value = text(node);
        if (value != null) {
            values.add(value);
        }
    }

    static String firstText(JsonNode preferred, JsonNode fallback) {
        String value = text(preferred);
        return value != null ? value : text(fallback);
    }
}
