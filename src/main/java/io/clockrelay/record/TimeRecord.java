package io.clockrelay.record;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;

/**
 * The canonical record, version 2: one change of one thing, the body every target route receives (docs/design.md,
 * "The canonical record" and "Payroll semantics"; its JSON Schema is docs/record.schema.json). Fields a partial
 * update does not know are null and left out of the JSON, so no target nulls them. A record made from the vendor's
 * whole entity says so ({@code complete}): there a field left out is none, and a target clears what it held (a time off
 * that became a day-based one has no seconds any more; an activity added again after a declined request is no longer
 * declined).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"version", "recordId", "eventId", "source", "eventType", "action", "complete", "entity", "entityId", "userId",
        "start", "end", "timezone", "timeKind", "status", "absenceType", "quantity", "durationSeconds", "workDate",
        "occurredAt", "receivedAt", "attributes"})
public record TimeRecord(
        String recordId,
        String eventId,
        String source,
        String eventType,
        Action action,
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean complete,
        String entity,
        String entityId,
        String userId,
        @JsonSerialize(using = ToStringSerializer.class) Instant start,
        @JsonSerialize(using = ToStringSerializer.class) Instant end,
        String timezone,
        TimeKind timeKind,
        RecordStatus status,
        AbsenceType absenceType,
        Quantity quantity,
        Long durationSeconds,
        @JsonSerialize(using = ToStringSerializer.class) LocalDate workDate,
        @JsonSerialize(using = ToStringSerializer.class) Instant occurredAt,
        @JsonSerialize(using = ToStringSerializer.class) Instant receivedAt,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, Object> attributes,
        @JsonIgnore String fingerprint) {

    /** The version of the record's shape: 2 added timeKind, status, absenceType, quantity and workDate. */
    public static final int VERSION = 2;

    /**
     * An attribute set (true) on a record that replaces whatever records of the same source, entity, user and time
     * clock overlap its time span: Connecteam deletes the shift made at clock-in when it approves a clock-out outside
     * the geofence (or without NFC), and says so only by sending the new shift.
     */
    public static final String REPLACES_OVERLAPPING = "replacesOverlapping";

    public enum Action {
        upsert, delete
    }

    public int getVersion() {
        return VERSION;
    }

    /** The key that keeps a target's records in order: the user's, or the record's own when the user is unknown. */
    public String orderingKey() {
        return userId != null ? source + ":user:" + userId : recordId;
    }

    /** This record with what the process stage knows of it filled in where the change itself does not say. */
    public TimeRecord withKnown(String knownUserId) {
        return new TimeRecord(recordId, eventId, source, eventType, action, complete, entity, entityId, userId != null ? userId : knownUserId,
                start, end, timezone, timeKind, status, absenceType, quantity, durationSeconds, workDate, occurredAt, receivedAt,
                attributes, fingerprint);
    }
}
