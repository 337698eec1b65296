package io.clockrelay.source.connecteam;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clockrelay.reconcile.Injection;
import io.clockrelay.reconcile.Reconciler;
import io.clockrelay.record.Fingerprints;
import io.clockrelay.webhook.OrderingKeys;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Connecteam's side of reconciliation: the shifts, manual breaks and time off of every time clock, from the day of
 * the range's start to the day of its end, each as a flat time-activity event of type {@code reconciled} that the
 * mapper maps like an activity that happened (its state now).
 */
public class ConnecteamReconciler implements Reconciler {

    private static final Map<String, String[]> LISTS = Map.of(
            "shifts", new String[] {"shift", "shift"},
            "manualBreaks", new String[] {"manual_break", "break"},
            "timeOffs", new String[] {"time_off", "time_off"});
    private static final ObjectMapper JSON = new ObjectMapper();

    private ConnecteamApi api;

    public void setApi(ConnecteamApi api) {
        this.api = api;
    }

    @Override
    public String source() {
        return "connecteam";
    }

    @Override
    public boolean isConfigured() {
        return api.isConfigured();
    }

    @Override
    public String notConfigured() {
        return "set CONNECTEAM_API_KEY (and CONNECTEAM_API_URL for another address than https://api.connecteam.com)";
    }

    @Override
    public Set<String> entities() {
        return Set.of("shift", "break", "time_off");
    }

    @Override
    public List<Listed> list(Instant since, Instant until) throws Exception {
        List<Listed> listed = new ArrayList<>();
        long now = Instant.now().getEpochSecond();
        for (JsonNode clock : api.timeClocks()) {
            String timeClockId = clock.path("id").asText();
            for (JsonNode user : api.timeActivities(timeClockId, since.atZone(ZoneOffset.UTC).toLocalDate(), until.atZone(ZoneOffset.UTC).toLocalDate())) {
                String userId = user.path("userId").asText();
                for (Map.Entry<String, String[]> list : LISTS.entrySet()) {
                    for (JsonNode activity : user.path(list.getKey())) {
                        listed.add(listed(list.getValue()[0], list.getValue()[1], timeClockId, userId, activity, now));
                    }
                }
            }
        }
        return listed;
    }

    private static Listed listed(String activityType, String entity, String timeClockId, String userId, JsonNode activity, long now) {
        String id = activity.path("id").asText();
        String fingerprint = Fingerprints.of(activity);
        ObjectNode event = JSON.createObjectNode();
        event.put("requestId", "reconciled:" + id + ":" + fingerprint);
        event.put("eventType", Injection.EVENT_TYPE);
        event.put("activityType", activityType);
        event.put("eventTimestamp", now);
        event.put("userId", userId);
        event.put("timeClockId", timeClockId);
        event.set("timeActivity", activity);
        return new Listed("connecteam:" + entity + ":" + id, fingerprint, new Injection("reconciled:" + entity + ":" + id + ":" + fingerprint,
                OrderingKeys.employee("connecteam", userId), OrderingKeys.of("connecteam", entity, id), event.toString()));
    }

    @Override
    public Injection deletion(String entity, String entityId, String userId, Instant lastKnown) {
        ObjectNode event = JSON.createObjectNode();
        String activityType = entity.equals("break") ? "manual_break" : entity;
        event.put("requestId", "reconciled:" + entityId + ":deleted");
        event.put("eventType", Injection.EVENT_TYPE);
        event.put("activityType", activityType);
        event.put("eventTimestamp", Instant.now().getEpochSecond());
        if (userId != null) {
            event.put("userId", userId);
        }
        event.put("timeActivityId", entityId);
        event.put("deleted", true);
        return new Injection("reconciled:" + entity + ":" + entityId + ":deleted:" + lastKnown, OrderingKeys.employee("connecteam", userId),
                OrderingKeys.of("connecteam", entity, entityId), event.toString());
    }
}
