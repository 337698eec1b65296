package io.clockrelay.source.clockodo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clockrelay.reconcile.Injection;
import io.clockrelay.reconcile.Reconciler;
import io.clockrelay.record.Fingerprints;
import io.clockrelay.webhook.OrderingKeys;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Clockodo's side of reconciliation: the entries of the range (every page) and the absences of its years that
 * touch it, each as a notification of type {@code reconciled} carrying the entity as the list gave it, which the
 * mapper maps without fetching it again. It may use half of Clockodo's rate limits, leaving the rest to the
 * enrichment of notifications.
 */
public class ClockodoReconciler implements Reconciler {

    /** The share of Clockodo's limits a reconciliation may use. */
    static final double SHARE = 0.5;
    private static final ObjectMapper JSON = new ObjectMapper();

    private ClockodoApi api;

    public void setApi(ClockodoApi api) {
        this.api = api;
    }

    @Override
    public String source() {
        return "clockodo";
    }

    @Override
    public boolean isConfigured() {
        return api.isConfigured();
    }

    @Override
    public String notConfigured() {
        return "set CLOCKODO_API_USER and CLOCKODO_API_KEY";
    }

    @Override
    public Set<String> entities() {
        return Set.of("time_entry", "lump_sum_entry", "absence");
    }

    @Override
    public List<Listed> list(Instant since, Instant until) {
        List<Listed> listed = new ArrayList<>();
        String now = Instant.now().toString();
        for (JsonNode entry : api.entries(since, until, SHARE)) {
            int type = entry.path("type").asInt(1);
            listed.add(listed("entry", type == 2 || type == 3 ? "lump_sum_entry" : "time_entry", entry, now));
        }
        LocalDate first = since.atZone(ZoneOffset.UTC).toLocalDate();
        LocalDate last = until.atZone(ZoneOffset.UTC).toLocalDate();
        for (int year = first.getYear(); year <= last.getYear(); year++) {
            for (JsonNode absence : api.absences(year, SHARE)) {
                LocalDate from = LocalDate.parse(absence.path("date_since").asText(first.toString()));
                LocalDate to = LocalDate.parse(absence.path("date_until").asText(from.toString()));
                if (!to.isBefore(first) && !from.isAfter(last)) {
                    listed.add(listed("absence", "absence", absence, now));
                }
            }
        }
        return listed;
    }

    private static Listed listed(String kind, String entity, JsonNode content, String now) {
        String id = content.path("id").asText();
        String fingerprint = Fingerprints.of(content);
        ObjectNode notification = JSON.createObjectNode();
        notification.put("event_name", Injection.EVENT_TYPE);
        notification.put("occurred_at", now);
        notification.putObject("payload").putObject(kind).put("id", Long.parseLong(id));
        notification.set("entity", content);
        return new Listed("clockodo:" + entity + ":" + id, fingerprint, new Injection("reconciled:" + entity + ":" + id + ":" + fingerprint,
                null, OrderingKeys.of("clockodo", kind, id), notification.toString()));
    }

    @Override
    public Injection deletion(String entity, String entityId, String userId, Instant lastKnown) {
        String kind = entity.equals("absence") ? "absence" : "entry";
        ObjectNode notification = JSON.createObjectNode();
        notification.put("event_name", Injection.EVENT_TYPE);
        notification.put("occurred_at", Instant.now().toString());
        notification.putObject("payload").putObject(kind).put("id", Long.parseLong(entityId));
        notification.put("deleted", true);
        return new Injection("reconciled:" + entity + ":" + entityId + ":deleted:" + lastKnown, null,
                OrderingKeys.of("clockodo", kind, entityId), notification.toString());
    }
}
