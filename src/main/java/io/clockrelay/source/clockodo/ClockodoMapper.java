package io.clockrelay.source.clockodo;

import com.fasterxml.jackson.databind.JsonNode;
import io.clockrelay.record.AbsenceType;
import io.clockrelay.record.Fields;
import io.clockrelay.record.KnownRecord;
import io.clockrelay.record.KnownRecords;
import io.clockrelay.record.Quantity;
import io.clockrelay.record.RecordBuilder;
import io.clockrelay.record.RecordMapper;
import io.clockrelay.record.RecordMapping;
import io.clockrelay.record.RecordStatus;
import io.clockrelay.record.RetryAfter;
import io.clockrelay.record.SourceEvent;
import io.clockrelay.record.TimeKind;
import io.clockrelay.record.TimeRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.clockrelay.record.Fields.text;

/**
 * Clockodo notifications carry only an id: the entity is fetched from Clockodo's API (snake_case fields, facts in
 * vendor-docs/clockodo-api-facts.md) and mapped. A {@code *.deleted} event, or an entity Clockodo no longer has, is
 * a deletion. Days are the user's local days (their {@code timezone}, fetched and kept an hour): an absence from
 * {@code date_since} to {@code date_until} spans those days in that zone, and counts what Clockodo counts
 * ({@code count_days} or {@code count_hours}), never its span. Only entries of type 1 are worked time; lump sums
 * (types 2 and 3) are entity {@code lump_sum_entry}, not time. Several notifications for one entity waiting together
 * are served by one fetch (the process stage maps only the newest of them).
 */
public class ClockodoMapper implements RecordMapper {

    private static final Logger LOG = LoggerFactory.getLogger(ClockodoMapper.class);
    /** Clockodo's absence status: 0 enquired, 1 approved, 2 declined, 3 approval cancelled, 4 request withdrawn. */
    static final Map<Integer, RecordStatus> ABSENCE_STATUS = Map.of(0, RecordStatus.requested, 1, RecordStatus.approved,
            2, RecordStatus.declined, 3, RecordStatus.cancelled, 4, RecordStatus.cancelled);
    /** Clockodo's absence types 1 to 15. */
    static final Map<Integer, AbsenceType> ABSENCE_TYPES = Map.ofEntries(Map.entry(1, AbsenceType.vacation),
            Map.entry(2, AbsenceType.special_leave), Map.entry(3, AbsenceType.overtime_reduction), Map.entry(4, AbsenceType.sick),
            Map.entry(5, AbsenceType.sick_child), Map.entry(6, AbsenceType.training), Map.entry(7, AbsenceType.maternity_protection),
            Map.entry(8, AbsenceType.home_office), Map.entry(9, AbsenceType.out_of_office), Map.entry(10, AbsenceType.special_leave_unpaid),
            Map.entry(11, AbsenceType.sick_unpaid), Map.entry(12, AbsenceType.sick_child_unpaid), Map.entry(13, AbsenceType.quarantine),
            Map.entry(14, AbsenceType.military_service), Map.entry(15, AbsenceType.sick_with_benefit));
    /** Change requests: 1 requested, 2 declined (approved ones leave the list). */
    static final Map<Integer, RecordStatus> CHANGE_REQUEST_STATUS = Map.of(1, RecordStatus.requested, 2, RecordStatus.declined);
    /** A stopped entry the API still shows running is fetched again this often, this far apart, then delivered as it is. */
    static final int STILL_RUNNING_TRIES = 3;
    static final Duration STILL_RUNNING_WAIT = Duration.ofSeconds(2);

    private ClockodoApi api;

    public void setApi(ClockodoApi api) {
        this.api = api;
    }

    @Override
    public boolean servesNewestOnly() {
        return true;
    }

    /** Not while Clockodo's API is not configured or its circuit is open: notifications wait, untouched, meanwhile. */
    @Override
    public boolean canMapNow() {
        return api.available();
    }

    @Override
    public List<TimeRecord> map(SourceEvent event, JsonNode notification, KnownRecords known) {
        String eventName = event.eventType();
        Instant occurredAt = Fields.instant(notification.get("occurred_at"), "occurred_at");
        if (eventName.equals(ClockodoEventReader.BUDGET_NOTIFICATION)) {
            JsonNode payload = notification.path("payload");
            return List.of(RecordBuilder.of(event, "project_budget", text(payload.get("id"))).occurredAt(occurredAt)
                    .attribute("projects_id", payload.get("id")).attribute("type", payload.get("type"))
                    .attribute("threshold", payload.get("threshold")).build());
        }
        boolean reconciled = eventName.equals("reconciled");
        int dot = eventName.lastIndexOf('.');
        // What reconciliation found in Clockodo's API carries the entity (or that it is gone): no fetch.
        String kind = reconciled ? notification.path("payload").fieldNames().next() : dot > 0 ? eventName.substring(0, dot) : eventName;
        String change = reconciled ? (notification.path("deleted").asBoolean(false) ? "deleted" : "reconciled")
                : dot > 0 ? eventName.substring(dot + 1) : "";
        String id = text(notification.path("payload").path(kind).get("id"));
        if (id == null || !api.knows(kind)) {
            return List.of(RecordBuilder.of(event, RecordMapping.UNKNOWN, event.eventId()).attribute("payload", notification)
                    .occurredAt(occurredAt).build());
        }
        if (kind.equals("work_time_change_request")) {
            return changeRequest(event, id, change, occurredAt, known);
        }
        JsonNode entity = change.equals("deleted") ? null : reconciled ? notification.get("entity") : api.fetch(kind, id);
        if (entity == null || !entity.isObject()) {
            return List.of(deletion(event, kind, id, known).occurredAt(occurredAt).build());
        }
        RecordBuilder record = switch (kind) {
            case "entry" -> entry(event, id, entity);
            case "absence" -> absence(event, id, entity);
            case "user" -> {
                api.remember(id, entity);
                yield RecordBuilder.of(event, "user", id).userId(id).attributesExcept(entity, Set.of("id"));
            }
            // The reference entities; those of one user (holiday quotas, carries) name the user.
            default -> RecordBuilder.of(event, kind, id).userId(text(entity.get("users_id"))).attributesExcept(entity, Set.of("id", "users_id"));
        };
        return List.of(record.whole(entity).occurredAt(occurredAt).build());
    }

    /** An entry: type 1 is worked time; 2 (a lump-sum value) and 3 (a lump-sum service) are lump sums, no time. */
    private RecordBuilder entry(SourceEvent event, String id, JsonNode entry) {
        String userId = text(entry.get("users_id"));
        ZoneId zone = api.zoneOf(userId);
        Instant since = Fields.instant(entry.get("time_since"), "entry.time_since");
        int type = entry.path("type").asInt(1);
        if (type == 2 || type == 3) {
            return RecordBuilder.of(event, "lump_sum_entry", id).userId(userId).timezone(zone.getId()).workDateOf(since, zone)
                    .attributesExcept(entry, Set.of("id", "users_id"));
        }
        Instant until = Fields.instant(entry.get("time_until"), "entry.time_until");
        if (until == null && event.eventType().equals("entry.stopped")) {
            // Clockodo's API may still show a just-stopped entry as running for a few seconds: fetched again shortly.
            if (event.attempts() < STILL_RUNNING_TRIES) {
                throw new StillRunning(id);
            }
            LOG.warn("entry {} is still running in Clockodo's API after entry.stopped and {} tries: delivered as Clockodo shows it", id, STILL_RUNNING_TRIES);
        }
        return RecordBuilder.of(event, "time_entry", id).userId(userId)
                .timeKind(TimeKind.WORK)
                .start(since)
                .end(until)
                .timezone(zone.getId())
                .durationSeconds(Fields.seconds(entry.get("duration"), "entry.duration"))
                .workDateOf(since, zone)
                .attributesExcept(entry, Set.of("id", "users_id", "time_since", "time_until", "duration"));
    }

    /** An absence: the user's local days, its status and type, and what Clockodo counts (days, or hours for type 3). */
    private RecordBuilder absence(SourceEvent event, String id, JsonNode absence) {
        String userId = text(absence.get("users_id"));
        ZoneId zone = api.zoneOf(userId);
        LocalDate since = Fields.date(absence.get("date_since"), "absence.date_since");
        LocalDate until = Fields.date(absence.get("date_until"), "absence.date_until");
        BigDecimal days = Fields.decimal(absence.get("count_days"), "absence.count_days");
        BigDecimal hours = Fields.decimal(absence.get("count_hours"), "absence.count_hours");
        RecordBuilder record = RecordBuilder.of(event, "absence", id).userId(userId)
                .timeKind(TimeKind.ABSENCE)
                .status(ABSENCE_STATUS.get(absence.path("status").asInt(-1)))
                .absenceType(absence.hasNonNull("type") ? ABSENCE_TYPES.getOrDefault(absence.get("type").asInt(), AbsenceType.other) : AbsenceType.other)
                .start(since == null ? null : since.atStartOfDay(zone).toInstant())
                .end(until == null ? null : until.plusDays(1).atStartOfDay(zone).toInstant())
                .timezone(zone.getId())
                .workDate(since)
                .attributesExcept(absence, Set.of("id", "users_id"));
        if (hours != null) {
            record.quantity(hours, Quantity.Unit.hours)
                    .durationSeconds(Fields.seconds(new com.fasterxml.jackson.databind.node.DecimalNode(hours.multiply(BigDecimal.valueOf(3600))),
                            "absence.count_hours"));
        } else if (days != null) {
            record.quantity(days, Quantity.Unit.days);
        }
        return record;
    }

    /**
     * A work-time change request, out of Clockodo's list (no fetch by id). One that has left the list was approved
     * (or, with {@code .deleted}, withdrawn): approved, its day's work times are fetched and delivered too.
     */
    private List<TimeRecord> changeRequest(SourceEvent event, String id, String change, Instant occurredAt, KnownRecords known) {
        KnownRecord before = known.get("clockodo:work_time_change_request:" + id);
        if (change.equals("deleted")) {
            return List.of(RecordBuilder.of(event, "work_time_change_request", id).delete().occurredAt(occurredAt).build());
        }
        LocalDate around = occurredAt.atZone(ZoneId.of("UTC")).toLocalDate();
        LocalDate since = before != null && before.workDate() != null ? before.workDate() : around.minusDays(92);
        LocalDate until = before != null && before.workDate() != null ? before.workDate() : around.plusDays(31);
        JsonNode request = api.changeRequest(id, before == null ? null : before.userId(), since, until);
        if (request != null) {
            String userId = text(request.get("users_id"));
            return List.of(RecordBuilder.of(event, "work_time_change_request", id).userId(userId)
                    .status(CHANGE_REQUEST_STATUS.get(request.path("status").asInt(-1)))
                    .workDate(Fields.date(request.get("date"), "change_request.date"))
                    .timezone(api.zoneOf(userId).getId())
                    .whole(request)
                    .attributesExcept(request, Set.of("id", "users_id")).occurredAt(occurredAt).build());
        }
        List<TimeRecord> records = new ArrayList<>();
        records.add(RecordBuilder.of(event, "work_time_change_request", id).status(RecordStatus.approved).occurredAt(occurredAt).build());
        if (before == null || before.userId() == null || before.workDate() == null) {
            LOG.warn("work-time change request {} is not in Clockodo's list and was never seen before: delivered as approved, without its day's"
                    + " work times (the day and user are unknown)", id);
            return records;
        }
        ZoneId zone = api.zoneOf(before.userId());
        for (JsonNode day : api.workTimeDays(before.userId(), before.workDate())) {
            records.add(workTimeDay(event, day, zone, occurredAt));
        }
        return records;
    }

    /** A user's work times of one day (Clockodo's attendance, apart from entries): its intervals and their sum. */
    private static TimeRecord workTimeDay(SourceEvent event, JsonNode day, ZoneId zone, Instant occurredAt) {
        String userId = text(day.get("users_id"));
        LocalDate date = Fields.date(day.get("date"), "work_time_day.date");
        Instant first = null;
        Instant last = null;
        long seconds = 0;
        for (JsonNode interval : day.path("intervals")) {
            Instant since = Fields.instant(interval.get("time_since"), "work_time_day.intervals[].time_since");
            Instant until = Fields.instant(interval.get("time_until"), "work_time_day.intervals[].time_until");
            first = first == null || (since != null && since.isBefore(first)) ? since : first;
            last = until != null && (last == null || until.isAfter(last)) ? until : last;
            seconds += since != null && until != null ? Math.max(0, until.getEpochSecond() - since.getEpochSecond()) : 0;
        }
        return RecordBuilder.of(event, "work_time_day", userId + ":" + date).userId(userId).workDate(date).timezone(zone.getId())
                .start(first).end(last).durationSeconds(seconds).whole(day).eventIdPerRecord()
                .attributesExcept(day, Set.of("users_id", "date")).occurredAt(occurredAt).build();
    }

    /**
     * The deletion of what a notification names: an entry is a time entry or a lump sum, whichever clockrelay knows it
     * as (a time entry when it knows neither).
     */
    private static RecordBuilder deletion(SourceEvent event, String kind, String id, KnownRecords known) {
        String entity = switch (kind) {
            case "entry" -> known.get("clockodo:lump_sum_entry:" + id) != null && known.get("clockodo:time_entry:" + id) == null
                    ? "lump_sum_entry" : "time_entry";
            default -> kind;
        };
        return RecordBuilder.of(event, entity, id).delete();
    }

    /** A stopped entry that the API still shows running: fetched again in a moment. */
    static final class StillRunning extends RuntimeException implements RetryAfter {
        StillRunning(String id) {
            super("entry " + id + " is still running in Clockodo's API after entry.stopped: fetched again shortly", null, false, false);
        }

        @Override
        public Duration retryAfter() {
            return STILL_RUNNING_WAIT;
        }

        @Override
        public boolean exact() {
            return true;
        }
    }
}
