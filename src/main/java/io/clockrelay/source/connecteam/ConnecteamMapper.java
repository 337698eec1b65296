package io.clockrelay.source.connecteam;

import com.fasterxml.jackson.databind.JsonNode;
import io.clockrelay.record.AbsenceType;
import io.clockrelay.record.Fields;
import io.clockrelay.record.KnownRecords;
import io.clockrelay.record.Quantity;
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
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.clockrelay.record.Fields.text;

/**
 * Connecteam's webhooks (vendor-docs/connecteam-*) as canonical records, in the envelope {@code {requestId, company,
 * eventType, eventTimestamp, activityType, data}} or flat (time activity). Shifts are worked time, manual breaks
 * breaks, time off an absence counted by its own {@code duration} (never end − start: a one-day leave spans 86,399 s),
 * scheduled shifts planned time. What an event says of approval becomes the record's status: the requests a user
 * makes are records of their own (entity {@code <activity>_request}, not time), so that a request never changes what
 * is paid until Connecteam approves it.
 */
public class ConnecteamMapper implements RecordMapper {

    /** Time-activity events and what each means for the activity and for the request behind it. */
    private enum Meaning {
        /** It simply happened: the activity as it is now. */
        HAPPENED,
        /** The activity as approved. */
        APPROVED,
        /** The activity as approved, replacing the shift made at clock-in (which Connecteam deleted). */
        APPROVED_REPLACING,
        /** The activity is gone. */
        DELETED,
        /** The activity is gone, a user's request approved. */
        DELETE_APPROVED,
        /** A time off approved before is declined now. */
        DECLINED,
        /** A user asks to add, change or remove an activity: nothing changes until it is approved. */
        REQUESTED,
        /** An admin declined a user's request: the activity stays as it was. */
        REQUEST_DECLINED
    }

    private static final Map<String, Meaning> TIME_ACTIVITY_EVENTS = new HashMap<>();

    static {
        for (String event : new String[] {"clock_in", "clock_out", "auto_clock_out", "admin_add", "admin_edit"}) {
            TIME_ACTIVITY_EVENTS.put(event, Meaning.HAPPENED);
        }
        for (String by : new String[] {"admin", "auto"}) {
            TIME_ACTIVITY_EVENTS.put(by + "_approved_add_request", Meaning.APPROVED);
            TIME_ACTIVITY_EVENTS.put(by + "_approved_edit_request", Meaning.APPROVED);
            TIME_ACTIVITY_EVENTS.put(by + "_approved_clock_out_outside_geo_fence_request", Meaning.APPROVED_REPLACING);
            TIME_ACTIVITY_EVENTS.put(by + "_approved_clock_out_without_nfc_request", Meaning.APPROVED_REPLACING);
            TIME_ACTIVITY_EVENTS.put(by + "_approved_delete_request", Meaning.DELETE_APPROVED);
        }
        TIME_ACTIVITY_EVENTS.put("admin_delete", Meaning.DELETED);
        // What reconciliation found in Connecteam's API: the activity as it is now (or gone).
        TIME_ACTIVITY_EVENTS.put("reconciled", Meaning.HAPPENED);
        TIME_ACTIVITY_EVENTS.put("admin_declined_request", Meaning.DECLINED);
        for (String kind : new String[] {"add", "edit", "delete"}) {
            TIME_ACTIVITY_EVENTS.put("user_" + kind + "_request", Meaning.REQUESTED);
            TIME_ACTIVITY_EVENTS.put("admin_declined_" + kind + "_request", Meaning.REQUEST_DECLINED);
        }
    }

    static boolean isTimeActivityEvent(String eventType) {
        return eventType != null && TIME_ACTIVITY_EVENTS.containsKey(eventType);
    }

    private static final Set<String> ACTIVITY_FIELDS = Set.of("id", "start", "end", "shiftAttachments");
    private static final Map<String, TimeKind> TIME_KINDS = Map.of("shift", TimeKind.WORK, "break", TimeKind.BREAK, "time_off", TimeKind.ABSENCE);
    private static final Map<String, RecordStatus> TIMESHEET_EVENTS = Map.of(
            "user_timesheet_submitted", RecordStatus.submitted, "user_timesheet_unsubmitted", RecordStatus.reopened,
            "user_timesheet_approved", RecordStatus.approved, "user_timesheet_reopened", RecordStatus.reopened,
            "admin_day_locked", RecordStatus.locked, "admin_day_unlocked", RecordStatus.unlocked);

    private Map<String, AbsenceType> timeOffTypes = Map.of();

    /**
     * CONNECTEAM_TIME_OFF_TYPES: {@code <policyTypeId>:<absenceType>,...}. Connecteam's time-off policies are ids of the
     * account's own; a policy not listed is {@code other}. (ConfigurationCheck refuses an unknown absence type.)
     */
    public void setTimeOffTypes(String setting) {
        this.timeOffTypes = parseTimeOffTypes(setting);
    }

    static Map<String, AbsenceType> parseTimeOffTypes(String setting) {
        Map<String, AbsenceType> types = new HashMap<>();
        if (setting != null) {
            for (String pair : setting.split(",")) {
                int colon = pair.lastIndexOf(':');
                if (colon > 0) {
                    AbsenceType type = AbsenceType.named(pair.substring(colon + 1).trim());
                    if (type != null) {
                        types.put(pair.substring(0, colon).trim(), type);
                    }
                }
            }
        }
        return Map.copyOf(types);
    }

    @Override
    public List<TimeRecord> map(SourceEvent event, JsonNode payload, KnownRecords known) {
        ConnecteamPayload webhook = new ConnecteamPayload(payload);
        Instant occurredAt = Fields.epochSeconds(payload.has("eventTimestamp") ? payload.get("eventTimestamp") : payload.get("evnetTimestamp"),
                payload.has("eventTimestamp") ? "eventTimestamp" : "evnetTimestamp");
        String eventType = event.eventType();
        JsonNode data = payload.path("data");
        List<RecordBuilder> records = new ArrayList<>();
        if (webhook.isTimeActivity()) {
            timeActivity(event, webhook, records);
        } else {
            switch (eventType) {
                case "user_created", "user_updated" -> objects(data).forEach(user -> user(event, user, records));
                case "user_deleted" -> userIds(data).forEach(id -> records.add(RecordBuilder.of(event, "user", id).userId(id).delete()));
                case "user_archived", "user_restored", "user_promoted", "user_demoted" -> userIds(data).forEach(id ->
                        records.add(RecordBuilder.of(event, "user", id).userId(id).attribute(userChange(eventType), userChangeValue(eventType))));
                case "shift_created", "shift_updated" -> objects(data.path("shifts")).forEach(shift -> add(records, scheduledShift(event, shift)));
                case "shift_deleted" -> ids(data.path("ids")).forEach(id -> records.add(RecordBuilder.of(event, "scheduled_shift", id).delete()));
                case "availability_status_created" -> objects(webhook.availabilityStatuses()).forEach(status -> records.add(availability(event, status)));
                case "availability_status_deleted" -> objects(webhook.availabilityStatuses()).forEach(status ->
                        records.add(RecordBuilder.of(event, "availability", availabilityId(status)).userId(text(status.get("userId"))).delete()));
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
                record.eventIdPerRecord();
            }
            mapped.add(record.build());
        }
        return mapped;
    }

    /** A time activity (shift, manual break, time off), a request about one, or a timesheet period's event. */
    private void timeActivity(SourceEvent event, ConnecteamPayload webhook, List<RecordBuilder> records) {
        String activityType = webhook.activityType();
        if ("timesheet_period".equals(activityType)) {
            add(records, timesheetPeriod(event, webhook));
            return;
        }
        String entity = ConnecteamPayload.TIME_ACTIVITY_ENTITIES.get(activityType);
        Meaning meaning = TIME_ACTIVITY_EVENTS.get(event.eventType());
        if (event.eventType().equals("reconciled") && webhook.fields().path("deleted").asBoolean(false)) {
            meaning = Meaning.DELETED;
        }
        String id = webhook.timeActivityId();
        if (entity == null || meaning == null || id == null) {
            return;
        }
        String userId = webhook.userId();
        String timeClockId = webhook.timeClockId();
        JsonNode activity = webhook.timeActivity();
        String kind = requestKind(event.eventType());
        switch (meaning) {
            case HAPPENED -> records.add(activity(event, entity, id, activity).userId(userId).attribute("timeClockId", timeClockId));
            case APPROVED, APPROVED_REPLACING -> {
                RecordBuilder approved = activity(event, entity, id, activity).userId(userId).attribute("timeClockId", timeClockId)
                        .status(RecordStatus.approved);
                if (meaning == Meaning.APPROVED_REPLACING) {
                    approved.attribute(TimeRecord.REPLACES_OVERLAPPING, true);
                }
                records.add(approved);
                if (kind != null) {
                    records.add(request(event, entity, id, kind, null).userId(userId).status(RecordStatus.approved));
                }
            }
            case DELETED -> records.add(RecordBuilder.of(event, entity, id).delete().userId(userId).attribute("timeClockId", timeClockId));
            case DELETE_APPROVED -> {
                records.add(RecordBuilder.of(event, entity, id).delete().userId(userId).attribute("timeClockId", timeClockId));
                records.add(request(event, entity, id, "delete", null).userId(userId).status(RecordStatus.approved));
            }
            case DECLINED -> records.add(RecordBuilder.of(event, entity, id).userId(userId).timeKind(TIME_KINDS.get(entity))
                    .status(RecordStatus.declined).attribute("timeClockId", timeClockId));
            case REQUESTED -> records.add(request(event, entity, id, kind, activity).userId(userId).status(RecordStatus.requested)
                    .attribute("timeClockId", timeClockId));
            default -> records.add(request(event, entity, id, kind, activity).userId(userId).status(RecordStatus.declined)
                    .attribute("timeClockId", timeClockId));
        }
    }

    /** The activity itself: its span, its kind of time, and for time off its type and the amount Connecteam counts. */
    private RecordBuilder activity(SourceEvent event, String entity, String id, JsonNode activity) {
        RecordBuilder record = RecordBuilder.of(event, entity, id).timeKind(TIME_KINDS.get(entity));
        if (event.eventType().equals("reconciled")) {
            // Connecteam's list says nothing of approval (nor whether it lists declined activities): what it lists
            // fills and corrects, but clears nothing, a declined status least of all.
            record.fingerprintOf(activity);
        } else {
            record.whole(activity);
        }
        span(record, activity, "timeActivity");
        Instant start = Fields.epochSeconds(activity.path("start").get("timestamp"), "timeActivity.start.timestamp");
        Instant end = Fields.epochSeconds(activity.path("end").get("timestamp"), "timeActivity.end.timestamp");
        if (entity.equals("time_off")) {
            JsonNode duration = activity.path("duration");
            BigDecimal value = Fields.decimal(duration.get("value"), "timeActivity.duration.value");
            String units = text(duration.get("units"));
            Quantity.Unit unit = "hours".equals(units) ? Quantity.Unit.hours : "days".equals(units) ? Quantity.Unit.days : null;
            if (value != null && unit == null) {
                throw new Unmappable("timeActivity.duration.units is '" + Fields.printable(String.valueOf(units)) + "', not hours or days");
            }
            record.absenceType(timeOffTypes.getOrDefault(text(activity.get("policyTypeId")), AbsenceType.other))
                    .quantity(value, unit)
                    // Seconds only for hours: a day off is a day, whatever its span.
                    .durationSeconds(unit == Quantity.Unit.hours && value != null ? Fields.seconds(new com.fasterxml.jackson.databind.node.DecimalNode(
                            value.multiply(BigDecimal.valueOf(3600))), "timeActivity.duration.value") : null);
        } else if (start != null && end != null) {
            record.durationSeconds(end.getEpochSecond() - start.getEpochSecond());
        }
        return record.attribute("attachments", activity.get("shiftAttachments")).attributesExcept(activity, ACTIVITY_FIELDS);
    }

    /** A user's request about an activity, or its answer: a record of its own, never time to pay. */
    private static RecordBuilder request(SourceEvent event, String entity, String id, String kind, JsonNode activity) {
        RecordBuilder record = RecordBuilder.of(event, entity + "_request", id + ":" + kind)
                .attribute("request", kind).attribute("activity", entity).attribute("activityId", id);
        if (activity != null && activity.isObject() && activity.size() > 0) {
            span(record, activity, "timeActivity");
            record.whole(activity).attributesExcept(activity, ACTIVITY_FIELDS);
        }
        return record;
    }

    /** Start, end and time zone of a point pair {start: {timestamp, timezone}, end: ...}; the work date is the local day of the start. */
    private static void span(RecordBuilder record, JsonNode activity, String path) {
        Instant start = Fields.epochSeconds(activity.path("start").get("timestamp"), path + ".start.timestamp");
        Instant end = Fields.epochSeconds(activity.path("end").get("timestamp"), path + ".end.timestamp");
        String timezone = ConnecteamPayload.firstText(activity.path("start").get("timezone"), activity.path("end").get("timezone"));
        ZoneId zone = Fields.zone(timezone, path + ".start.timezone");
        record.start(start).end(end).timezone(timezone).workDateOf(start, zone);
    }

    /** A timesheet's or a locked day's event, when it names a user and a period; else null (forwarded as unknown). */
    private static RecordBuilder timesheetPeriod(SourceEvent event, ConnecteamPayload webhook) {
        RecordStatus status = TIMESHEET_EVENTS.get(event.eventType());
        String userId = webhook.userId();
        JsonNode fields = webhook.fields();
        JsonNode period = fields.has("timesheetPeriod") ? fields.get("timesheetPeriod") : fields.has("period") ? fields.get("period") : fields;
        LocalDate first = Fields.date(firstPresent(period, "startDate", "date", "start"), "startDate");
        LocalDate last = Fields.date(firstPresent(period, "endDate", "date", "end"), "endDate");
        if (status == null || userId == null || first == null) {
            return null;
        }
        String entity = event.eventType().startsWith("admin_day_") ? "day_lock" : "timesheet";
        LocalDate until = last != null ? last : first;
        return RecordBuilder.of(event, entity, userId + ":" + first + (until.equals(first) ? "" : ".." + until))
                .userId(userId).status(status).workDate(first)
                .attribute("periodStart", first.toString()).attribute("periodEnd", until.toString())
                .attribute("timeClockId", webhook.timeClockId());
    }

    private static JsonNode firstPresent(JsonNode node, String... names) {
        for (String name : names) {
            if (node.hasNonNull(name) && node.get(name).isTextual()) {
                return node.get(name);
            }
        }
        return null;
    }

    /** add, edit or delete, from an event's name ({@code user_edit_request}, {@code admin_approved_add_request}); null for others. */
    private static String requestKind(String eventType) {
        for (String kind : new String[] {"add", "edit", "delete"}) {
            if (eventType.endsWith("_" + kind + "_request")) {
                return kind;
            }
        }
        return null;
    }

    private static void user(SourceEvent event, JsonNode user, List<RecordBuilder> records) {
        String id = text(user.get("userId"));
        if (id != null) {
            records.add(RecordBuilder.of(event, "user", id).userId(id).whole(user).attributesExcept(user, Set.of("userId")));
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

    /** A scheduled shift: planned time, the one assignee its user (several: none; they are in the attributes). */
    private static RecordBuilder scheduledShift(SourceEvent event, JsonNode shift) {
        String id = text(shift.get("id"));
        if (id == null) {
            return null;
        }
        JsonNode assigned = shift.path("assignedUserIds");
        Instant start = Fields.epochSeconds(shift.get("startTime"), "data.shifts[].startTime");
        String timezone = text(shift.get("timezone"));
        return RecordBuilder.of(event, "scheduled_shift", id)
                .userId(assigned.isArray() && assigned.size() == 1 ? text(assigned.get(0)) : null)
                .timeKind(TimeKind.PLANNED)
                .start(start)
                .end(Fields.epochSeconds(shift.get("endTime"), "data.shifts[].endTime"))
                .timezone(timezone)
                .workDateOf(start, Fields.zone(timezone, "data.shifts[].timezone"))
                .whole(shift)
                .attributesExcept(shift, Set.of("id", "startTime", "endTime", "timezone"));
    }

    /** An availability status; one without an id (Connecteam's description allows it) is named by its user and start. */
    private static RecordBuilder availability(SourceEvent event, JsonNode status) {
        RecordBuilder record = RecordBuilder.of(event, "availability", availabilityId(status)).userId(text(status.get("userId")))
                .whole(status).attributesExcept(status, Set.of("id", "userId", "start", "end", "startTime", "endTime", "timezone"));
        if (status.has("start")) {
            span(record, status, "availabilityStatuses[]");
        } else {
            record.start(Fields.epochSeconds(status.get("startTime"), "availabilityStatuses[].startTime"))
                    .end(Fields.epochSeconds(status.get("endTime"), "availabilityStatuses[].endTime"))
                    .timezone(text(status.get("timezone")));
        }
        return record;
    }

    private static String availabilityId(JsonNode status) {
        String id = text(status.get("id"));
        if (id != null) {
            return id;
        }
        String start = ConnecteamPayload.firstText(status.path("start").get("timestamp"), status.get("startTime"));
        String user = text(status.get("userId"));
        if (user == null || start == null) {
            throw new Unmappable("an availability status has neither an id nor a user and start to name it by");
        }
        return user + ":" + start;
    }

    private static void formSubmission(SourceEvent event, JsonNode data, List<RecordBuilder> records) {
        String id = text(data.get("formSubmissionId"));
        if (id != null) {
            records.add(RecordBuilder.of(event, "form_submission", id)
                    .userId(text(data.get("submittingUserId")))
                    .timezone(text(data.get("submissionTimezone")))
                    .whole(data)
                    .attributesExcept(data, Set.of("formSubmissionId", "submittingUserId", "submissionTimezone")));
        }
    }

    private static RecordBuilder task(SourceEvent event, JsonNode task) {
        String id = text(task.get("id"));
        if (id == null) {
            return null;
        }
        JsonNode users = task.path("userIds");
        return RecordBuilder.of(event, "task", id)
                .userId(users.isArray() && users.size() == 1 ? text(users.get(0)) : null)
                .start(Fields.epochSeconds(task.get("startTime"), "data[].startTime"))
                .whole(task)
                .attributesExcept(task, Set.of("id", "startTime"));
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
}
