package io.clockrelay.record;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;

import java.time.Instant;
import java.util.Map;

/**
 * The canonical record: one change of one thing, the body every target route receives (docs/design.md, "The canonical
 * record"). Fields a partial update does not know are null and left out of the JSON, so no target nulls them.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"recordId", "eventId", "source", "eventType", "action", "entity", "entityId", "userId",
        "start", "end", "timezone", "durationSeconds", "occurredAt", "receivedAt", "attributes"})
public record TimeRecord(
        String recordId,
        String eventId,
        String source,
        String eventType,
        Action action,
        String entity,
        String entityId,
        String userId,
        @JsonSerialize(using = ToStringSerializer.class) Instant start,
        @JsonSerialize(using = ToStringSerializer.class) Instant end,
        String timezone,
        Long durationSeconds,
        @JsonSerialize(using = ToStringSerializer.class) Instant occurredAt,
        @JsonSerialize(using = ToStringSerializer.class) Instant receivedAt,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, Object> attributes) {

    /**
     * An attribute set (true) on a record that replaces whatever records of the same source, entity and user
     * overlap its time span: Connecteam deletes the shift made at clock-in when it approves a clock-out outside
     * the geofence, and says so only by sending the new shift.
     */
    public static final String REPLACES_OVERLAPPING = "replacesOverlapping";

    public enum Action {
        upsert, delete
    }

    /** The key that keeps a target's records in order: the user's, or the record's own when the user is unknown. */
    public String orderingKey() {
        return userId != null ? source + ":user:" + userId : recordId;
    }
}
