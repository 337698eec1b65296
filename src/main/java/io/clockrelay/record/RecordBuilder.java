package io.clockrelay.record;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Builds the canonical record of one change, so that a vendor mapper only says what the vendor's fields mean.
 * {@link #build()} refuses ({@link Unmappable}) a record that no target could hold or that contradicts itself:
 * an id missing or too long, an end before its start, a quantity out of range.
 */
public final class RecordBuilder {

    /** The longest id a record may carry (the payroll table's entity_id and user_id columns). */
    public static final int MAX_ID_LENGTH = 255;
    /** The longest event id (the deliveries' idempotency key column). */
    static final int MAX_EVENT_ID_LENGTH = 400;

    private final SourceEvent event;
    private String eventId;
    private final String entity;
    private final String entityId;
    private TimeRecord.Action action = TimeRecord.Action.upsert;
    private String userId;
    private Instant start;
    private Instant end;
    private String timezone;
    private TimeKind timeKind;
    private RecordStatus status;
    private AbsenceType absenceType;
    private Quantity quantity;
    private Long durationSeconds;
    private LocalDate workDate;
    private Instant occurredAt;
    private String fingerprint;
    private boolean complete;
    private final Map<String, Object> attributes = new LinkedHashMap<>();

    private RecordBuilder(SourceEvent event, String entity, String entityId) {
        this.event = event;
        this.eventId = event.eventId();
        this.entity = entity;
        this.entityId = entityId;
    }

    public static RecordBuilder of(SourceEvent event, String entity, String entityId) {
        return new RecordBuilder(event, entity, entityId);
    }

    /** For a webhook that carries several records: each needs an event id of its own, {@code <event id>/<entity id>}. */
    public RecordBuilder eventIdPerRecord() {
        String suffix = entityId == null ? "" : entityId;
        String id = event.eventId() + "/" + suffix;
        this.eventId = id.length() <= MAX_EVENT_ID_LENGTH ? id : event.eventId() + "/sha256:" + sha256(suffix);
        return this;
    }

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

    public RecordBuilder timeKind(TimeKind timeKind) {
        this.timeKind = timeKind;
        return this;
    }

    public RecordBuilder status(RecordStatus status) {
        this.status = status;
        return this;
    }

    public RecordBuilder absenceType(AbsenceType absenceType) {
        this.absenceType = absenceType;
        return this;
    }

    public RecordBuilder quantity(BigDecimal value, Quantity.Unit unit) {
        this.quantity = value == null ? null : new Quantity(value.stripTrailingZeros(), unit);
        return this;
    }

    public RecordBuilder durationSeconds(Long durationSeconds) {
        this.durationSeconds = durationSeconds;
        return this;
    }

    public RecordBuilder workDate(LocalDate workDate) {
        this.workDate = workDate;
        return this;
    }

    /** The work date as the local day of {@code at} in {@code zone} (UTC when the zone is unknown). */
    public RecordBuilder workDateOf(Instant at, ZoneId zone) {
        this.workDate = at == null ? null : at.atZone(zone != null ? zone : java.time.ZoneOffset.UTC).toLocalDate();
        return this;
    }

    public RecordBuilder occurredAt(Instant occurredAt) {
        this.occurredAt = occurredAt;
        return this;
    }

    /**
     * A digest of the vendor's content this record was made from (its JSON as sent), so that reconciliation can tell
     * whether what the vendor holds now differs from what clockrelay last knew.
     */
    public RecordBuilder fingerprintOf(JsonNode content) {
        this.fingerprint = content == null || content.isMissingNode() ? null : Fingerprints.of(content);
        return this;
    }

    /**
     * This record is made from the vendor's {@code whole} entity as it is now: fingerprinted for reconciliation, and
     * complete, so that what it leaves out (no end, no status, no seconds) clears what a target held.
     */
    public RecordBuilder whole(JsonNode content) {
        this.complete = true;
        return fingerprintOf(content);
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
        if (entityId == null || entityId.isBlank()) {
            throw new Unmappable("the " + entity + " has no id");
        }
        requireShort("the " + entity + "'s id", entityId);
        requireShort("the " + entity + "'s user id", userId);
        if (timezone != null && timezone.length() > 64) {
            throw new Unmappable("the time zone '" + Fields.printable(timezone) + "' is longer than 64 characters");
        }
        if (start != null && end != null && end.isBefore(start)) {
            throw new Unmappable("the " + entity + " " + Fields.printable(entityId) + " ends (" + end + ") before it starts (" + start + ")");
        }
        if (durationSeconds != null && (durationSeconds < 0 || durationSeconds > Fields.MAX_SECONDS)) {
            throw new Unmappable("the " + entity + "'s duration of " + durationSeconds + " s is not between 0 and a year");
        }
        if (quantity != null && (quantity.value().signum() < 0 || quantity.value().compareTo(BigDecimal.valueOf(10_000)) > 0)) {
            throw new Unmappable("the " + entity + "'s quantity " + quantity.value().toPlainString() + " " + quantity.unit() + " is out of range");
        }
        if (workDate != null) {
            Fields.inRange(workDate.atStartOfDay(java.time.ZoneOffset.UTC).toInstant(), "the work date", workDate.toString());
        }
        return new TimeRecord(source + ":" + entity + ":" + entityId, eventId, source, event.eventType(), action,
                complete && action == TimeRecord.Action.upsert, entity, entityId, userId, start, end, timezone, timeKind, status, absenceType, quantity, durationSeconds, workDate,
                occurredAt != null ? occurredAt : event.receivedAt(), event.receivedAt(), attributes, fingerprint);
    }

    private static void requireShort(String what, String id) {
        if (id != null && id.length() > MAX_ID_LENGTH) {
            throw new Unmappable(what + " is " + id.length() + " characters long: ids over " + MAX_ID_LENGTH
                    + " cannot be stored ('" + Fields.printable(id) + "')");
        }
    }

    static String sha256(String value) {
        return Fingerprints.sha256(value);
    }
}
