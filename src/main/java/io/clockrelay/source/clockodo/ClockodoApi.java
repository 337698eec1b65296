package io.clockrelay.source.clockodo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clockrelay.record.RetryAfter;
import io.clockrelay.observe.ClockrelayMetrics;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fetches the entity a Clockodo notification names, through the route {@code direct:clockodo-api} (its headers,
 * throttle and timeouts are in receive-clockodo.camel.yaml). A 404 means the entity is gone; 429, 5xx and
 * timeouts are retried later (honouring Retry-After); 401/403 are a configuration error, reported by the health
 * check, and retried later too, so that no notification is lost while an operator fixes the credentials.
 */
public class ClockodoApi implements CamelContextAware {

    /** Each entity's path and the envelope its answer comes in (README, "Clockodo": the table's "fetched from"). */
    static final Map<String, String[]> ENDPOINTS = Map.ofEntries(
            Map.entry("entry", new String[] {"/v2/entries/", "entry"}),
            Map.entry("user", new String[] {"/v3/users/", "data"}),
            Map.entry("absence", new String[] {"/v4/absences/", "data"}),
            Map.entry("customer", new String[] {"/v3/customers/", "data"}),
            Map.entry("project", new String[] {"/v4/projects/", "data"}),
            Map.entry("subproject", new String[] {"/v3/subprojects/", "data"}),
            Map.entry("service", new String[] {"/v4/services/", "data"}),
            Map.entry("lump_sum_service", new String[] {"/v4/lumpSumServices/", "data"}),
            Map.entry("team", new String[] {"/v3/teams/", "data"}),
            Map.entry("holidays_quota", new String[] {"/v2/holidaysQuota/", "data"}),
            Map.entry("holidays_carry", new String[] {"/v3/holidaysCarry/", "data"}),
            Map.entry("overtime_carry", new String[] {"/v3/overtimeCarry/", "data"}),
            Map.entry("nonbusiness_group", new String[] {"/v2/nonbusinessGroups/", "data"}),
            // No fetch by id: the list, searched for the id.
            Map.entry("work_time_change_request", new String[] {"/v2/workTimes/changeRequests", "change_requests"}));
    private static final Duration REUSE = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    private CamelContext camelContext;
    private ProducerTemplate template;
    private String apiUser = "";
    private String apiKey = "";
    private final Map<String, Fetched> recent = new ConcurrentHashMap<>();
    private volatile String problem;
    private ClockrelayMetrics metrics;

    private record Fetched(JsonNode entity, Instant at) {
    }

    public void setApiUser(String apiUser) {
        this.apiUser = apiUser == null ? "" : apiUser.trim();
    }

    public void setApiKey(String apiKey) {
        this.apiKey = apiKey == null ? "" : apiKey.trim();
    }

    public boolean isConfigured() {
        return !apiUser.isEmpty() && !apiKey.isEmpty();
    }

    /** What stops enrichment now, in words for an operator; null while it works. */
    public String problem() {
        return isConfigured() ? problem
                : "Clockodo enrichment is not configured: set CLOCKODO_API_USER and CLOCKODO_API_KEY (notifications are kept until then)";
    }

    public boolean knows(String entity) {
        return ENDPOINTS.containsKey(entity);
    }

    /** The entity's current state, or null when Clockodo no longer has it. */
    public JsonNode fetch(String entity, String id) throws IOException {
        if (!isConfigured()) {
            throw new ClockodoUnavailable(problem(), null);
        }
        String key = entity + "/" + id;
        Fetched reused = recent.get(key);
        if (reused != null && reused.at().plus(REUSE).isAfter(Instant.now())) {
            return reused.entity();
        }
        String[] endpoint = ENDPOINTS.get(entity);
        boolean list = !endpoint[0].endsWith("/");
        String path = list ? endpoint[0] : endpoint[0] + id;
        Exchange answer = template().request("direct:clockodo-api", exchange -> exchange.setVariable("clockodoPath", path));
        if (answer.getException() != null) {
            metrics().clockodoCall("error");
            problem = "Clockodo's API cannot be reached: " + answer.getException().getMessage();
            throw new ClockodoUnavailable(problem, null);
        }
        int status = answer.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        metrics().clockodoCall(String.valueOf(status));
        if (status == 401 || status == 403) {
            problem = "Clockodo refused the API credentials (HTTP " + status + "): check CLOCKODO_API_USER and CLOCKODO_API_KEY";
            throw new ClockodoUnavailable(problem, null);
        }
        if (status == 429 || status >= 500) {
            problem = "Clockodo's API answered HTTP " + status + "; retrying later";
            throw new ClockodoUnavailable(problem, RetryAfter.parse(answer.getMessage().getHeader("Retry-After", String.class), Instant.now()));
        }
        JsonNode entityNode = null;
        if (status == 200) {
            JsonNode body = JSON.readTree(answer.getMessage().getBody(String.class));
            entityNode = list ? find(body, id) : body.get(endpoint[1]);
        } else if (status != 404) {
            throw new IllegalStateException("Clockodo's API answered HTTP " + status + " for " + path);
        }
        problem = null;
        recent.put(key, new Fetched(entityNode, Instant.now()));
        recent.values().removeIf(fetched -> fetched.at().plus(REUSE).isBefore(Instant.now()));
        return entityNode;
    }

    private static JsonNode find(JsonNode body, String id) {
        for (String envelope : new String[] {"change_requests", "data"}) {
            for (JsonNode item : body.path(envelope)) {
                if (id.equals(item.path("id").asText())) {
                    return item;
                }
            }
        }
        return null;
    }

    /** Looked up at the first call: route files' beans are made before the configuration binds the shared ones. */
    private ClockrelayMetrics metrics() {
        if (metrics == null) {
            metrics = camelContext.getRegistry().lookupByNameAndType("clockrelayMetrics", ClockrelayMetrics.class);
        }
        return metrics;
    }

    private ProducerTemplate template() {
        if (template == null) {
            template = camelContext.createProducerTemplate();
        }
        return template;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }
}
