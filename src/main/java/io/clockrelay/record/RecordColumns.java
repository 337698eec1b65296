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
 * {@code deleted} and {@code record} (the whole record as JSON).
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
        columns.put("recordId", RecordBuilder.text(node.get("recordId")));
        columns.put("eventId", RecordBuilder.text(node.get("eventId")));
        columns.put("source", RecordBuilder.text(node.get("source")));
        columns.put("eventType", RecordBuilder.text(node.get("eventType")));
        columns.put("action", RecordBuilder.text(node.get("action")));
        columns.put("deleted", "delete".equals(RecordBuilder.text(node.get("action"))));
        columns.put("entity", RecordBuilder.text(node.get("entity")));
        columns.put("entityId", RecordBuilder.text(node.get("entityId")));
        columns.put("userId", RecordBuilder.text(node.get("userId")));
        columns.put("start", utc(node.get("start")));
        columns.put("end", utc(node.get("end")));
        columns.put("timezone", RecordBuilder.text(node.get("timezone")));
        columns.put("durationSeconds", RecordBuilder.number(node.get("durationSeconds")));
        columns.put("occurredAt", utc(node.get("occurredAt")));
        columns.put("receivedAt", utc(node.get("receivedAt")));
        columns.put("attributes", node.has("attributes") ? json.writeValueAsString(node.get("attributes")) : null);
        columns.put("record", record);
        columns.put(TimeRecord.REPLACES_OVERLAPPING, node.path("attributes").path(TimeRecord.REPLACES_OVERLAPPING).asBoolean(false));
        return columns;
    }

    private static OffsetDateTime utc(JsonNode node) {
        Instant instant = RecordBuilder.instant(node);
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }
}
