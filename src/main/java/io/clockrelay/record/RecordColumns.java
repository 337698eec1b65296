package io.clockrelay.record;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * For JDBC target routes: a canonical record (JSON) as named SQL parameters, typed for the driver. Instants are
 * {@link OffsetDateTime} in UTC; a field the record does not carry is null, which the shipped statements read as
 * "keep what is there". The names are those of the record (recordId, userId, start, end, …) plus
 * {@code deleted}, {@code complete} (false unless the record says so), {@code quantityValue}, {@code quantityUnit} and {@code record} (the whole record as JSON).
 */
public class RecordColumns {

    private final ObjectMapper json;

    public RecordColumns(ObjectMapper json) {
        this.json = json;
    }

    /** A batch (a list of records) or a single record, as a list of parameter maps: for sql: with batch=true. */
    public List<Map<String, Object>> columnsOfAll(Object body) throws IOException {
        List<Map<String, Object>> all = new ArrayList<>();
        if (body instanceof List<?> records) {
            for (Object record : records) {
                all.add(columns(record.toString()));
            }
        } else {
            all.add(columns(body.toString()));
        }
        return all;
    }

    public Map<String, Object> columns(String record) throws IOException {
        JsonNode node = json.readTree(record);
        Map<String, Object> columns = new HashMap<>();
        columns.put("recordId", Fields.text(node.get("recordId")));
        columns.put("eventId", Fields.text(node.get("eventId")));
        columns.put("source", Fields.text(node.get("source")));
        columns.put("eventType", Fields.text(node.get("eventType")));
        columns.put("action", Fields.text(node.get("action")));
        columns.put("deleted", "delete".equals(Fields.text(node.get("action"))));
        columns.put("complete", node.path("complete").asBoolean(false));
        columns.put("entity", Fields.text(node.get("entity")));
        columns.put("entityId", Fields.text(node.get("entityId")));
        columns.put("userId", Fields.text(node.get("userId")));
        columns.put("start", utc(node.get("start")));
        columns.put("end", utc(node.get("end")));
        columns.put("timezone", Fields.text(node.get("timezone")));
        columns.put("timeKind", Fields.text(node.get("timeKind")));
        columns.put("status", Fields.text(node.get("status")));
        columns.put("absenceType", Fields.text(node.get("absenceType")));
        columns.put("quantityValue", node.path("quantity").path("value").isNumber() ? node.path("quantity").get("value").decimalValue() : null);
        columns.put("quantityUnit", Fields.text(node.path("quantity").get("unit")));
        columns.put("workDate", Fields.text(node.get("workDate")) == null ? null : java.time.LocalDate.parse(Fields.text(node.get("workDate"))));
        columns.put("durationSeconds", node.path("durationSeconds").isNumber() ? node.get("durationSeconds").asLong() : null);
        columns.put("occurredAt", utc(node.get("occurredAt")));
        columns.put("receivedAt", utc(node.get("receivedAt")));
        columns.put("attributes", node.has("attributes") ? json.writeValueAsString(node.get("attributes")) : null);
        columns.put("record", record);
        columns.put("timeClockId", Fields.text(node.path("attributes").get("timeClockId")));
        columns.put(TimeRecord.REPLACES_OVERLAPPING, node.path("attributes").path(TimeRecord.REPLACES_OVERLAPPING).asBoolean(false));
        return columns;
    }

    private static OffsetDateTime utc(JsonNode node) {
        String text = Fields.text(node);
        return text == null ? null : Instant.parse(text).atOffset(ZoneOffset.UTC);
    }
}
