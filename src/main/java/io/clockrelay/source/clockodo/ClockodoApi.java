package io.clockrelay.source.clockodo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clockrelay.observe.ClockrelayMetrics;
import io.clockrelay.record.RetryAfter;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Clockodo's API as the enrichment of its notifications needs it (vendor-docs/clockodo-api-facts.md), through the
 * route {@code direct:clockodo-api} (receive-clockodo.camel.yaml: the rate limit every instance shares, the headers,
 * the circuit breaker, the timeouts). A 404 means the entity is gone. 400, 401, 403, 429, 5xx, timeouts and an open
 * circuit are {@link ClockodoUnavailable}: the notification waits in the inbox and is tried again (429 and 5xx
 * honouring Retry-After), and the health check says what is wrong meanwhile.
 */
public class ClockodoApi implements CamelContextAware {

    /** Each entity's path (its id follows) and the envelope its answer comes in. */
    record Endpoint(String path, String envelope) {
    }

    static final Map<String, Endpoint> ENTITIES = Map.ofEntries(
            Map.entry("entry", new Endpoint("/v2/entries/", "entry")),
            Map.entry("user", new Endpoint("/v3/users/", "data")),
            Map.entry("absence", new Endpoint("/v4/absences/", "data")),
            Map.entry("customer", new Endpoint("/v3/customers/", "data")),
            Map.entry("project", new Endpoint("/v4/projects/", "data")),
            Map.entry("subproject", new Endpoint("/v3/subprojects/", "data")),
            Map.entry("service", new Endpoint("/v4/services/", "data")),
            Map.entry("lump_sum_service", new Endpoint("/v4/lumpSumServices/", "data")),
            Map.entry("team", new Endpoint("/v3/teams/", "data")),
            Map.entry("holidays_quota", new Endpoint("/v2/holidaysQuota/", "data")),
            Map.entry("holidays_carry", new Endpoint("/v3/holidaysCarry/", "data")),
            Map.entry("overtime_carry", new Endpoint("/v3/overtimeCarry/", "data")),
            Map.entry("nonbusiness_group", new Endpoint("/v2/nonbusinessGroups/", "data")));
    static final String CHANGE_REQUESTS = "/v2/workTimes/changeRequests";
    static final String WORK_TIMES = "/v2/workTimes";
    static final String ENTRIES = "/v2/entries";
    static final String ABSENCES = "/v4/absences";
    /** Pages read of one list at most: 100 pages of 1,000. */
    private static final int MAX_PAGES = 100;
    private static final Duration USER_ZONES_KEPT = Duration.ofHours(1);
    private static final ObjectMapper JSON = new ObjectMapper();

    private CamelContext camelContext;
    private ProducerTemplate template;
    private String apiUser = "";
    private String apiKey = "";
    private ZoneId defaultZone = ZoneId.of("Europe/Berlin");
    private CircuitBreaker circuitBreaker;
    private static final java.util.Set<CircuitBreaker.State> OPEN = java.util.EnumSet.of(CircuitBreaker.State.OPEN, CircuitBreaker.State.FORCED_OPEN);
    private volatile String problem;
    private ClockrelayMetrics metrics;
    private final Map<String, Zone> userZones = new ConcurrentHashMap<>();

    private record Zone(ZoneId zone, Instant at) {
    }

    public void setApiUser(String apiUser) {
        this.apiUser = apiUser == null ? "" : apiUser.trim();
    }

    public void setApiKey(String apiKey) {
        this.apiKey = apiKey == null ? "" : apiKey.trim();
    }

    /** The zone of a user whose own cannot be read (CLOCKODO_DEFAULT_TIMEZONE). */
    public void setDefaultTimezone(String zone) {
        this.defaultZone = ZoneId.of(zone.trim());
    }

    public boolean isConfigured() {
        return !apiUser.isEmpty() && !apiKey.isEmpty();
    }

    public void setCircuitBreaker(CircuitBreaker circuitBreaker) {
        this.circuitBreaker = circuitBreaker;
    }

    /** Whether calls may be made now: configured, and the circuit breaker not open (half-open lets a few through). */
    public boolean available() {
        return isConfigured() && (circuitBreaker == null || !OPEN.contains(circuitBreaker.getState()));
    }

    /** The circuit breaker's state, for the health check: CLOSED, OPEN, HALF_OPEN. */
    public CircuitBreaker.State circuitState() {
        return circuitBreaker == null ? CircuitBreaker.State.CLOSED : circuitBreaker.getState();
    }

    /** What stops enrichment now, in words for an operator; null while it works. */
    public String problem() {
        return isConfigured() ? problem
                : "Clockodo enrichment is not configured: set CLOCKODO_API_USER and CLOCKODO_API_KEY (notifications are kept until then)";
    }

    public boolean knows(String kind) {
        return ENTITIES.containsKey(kind) || kind.equals("work_time_change_request");
    }

    /** The entity's current state, or null when Clockodo no longer has it (404). */
    public JsonNode fetch(String kind, String id) {
        Endpoint endpoint = ENTITIES.get(kind);
        JsonNode body = get(endpoint.path() + id, Map.of(), 1.0);
        return body == null ? null : body.get(endpoint.envelope());
    }

    /**
     * Every entry of a time range, every page ({@code GET /v2/entries?time_since&time_until&page}), within a share of
     * the rate limits (reconciliation leaves the rest to the enrichment of notifications).
     */
    public List<JsonNode> entries(Instant since, Instant until, double share) {
        return list(ENTRIES, Map.of("time_since", since.toString(), "time_until", until.toString()), share, "entries");
    }

    /** Every absence of a year ({@code GET /v4/absences?filter[year]=}), within a share of the rate limits. */
    public List<JsonNode> absences(int year, double share) {
        List<JsonNode> absences = new ArrayList<>();
        JsonNode body = get(ABSENCES, Map.of("filter[year]", String.valueOf(year)), share);
        if (body != null) {
            body.path("data").forEach(absences::add);
        }
        return absences;
    }

    /**
     * A work-time change request out of Clockodo's list (it has no fetch by id), every page read, narrowed to the
     * user when known and to the days the request may be about; null when it is not (or no longer) listed.
     */
    public JsonNode changeRequest(String id, String usersId, LocalDate since, LocalDate until) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("date_since", since.toString());
        query.put("date_until", until.toString());
        if (usersId != null) {
            query.put("users_id", usersId);
        }
        query.put("items_per_page", "1000");
        for (JsonNode item : list(CHANGE_REQUESTS, query, 1.0, "change_requests", "data")) {
            if (id.equals(item.path("id").asText())) {
                return item;
            }
        }
        return null;
    }

    /** A user's work times of one day: {@code [{date, users_id, intervals: [{time_since, time_until}], offset}]}. */
    public List<JsonNode> workTimeDays(String usersId, LocalDate day) {
        return list(WORK_TIMES, Map.of("date_since", day.toString(), "date_until", day.toString(), "users_id", usersId), 1.0, "work_time_days", "data");
    }

    /** The time zone of a Clockodo user (their local days are what absences and work dates count), kept an hour. */
    public ZoneId zoneOf(String usersId) {
        if (usersId == null) {
            return defaultZone;
        }
        Zone known = userZones.get(usersId);
        if (known != null && known.at().plus(USER_ZONES_KEPT).isAfter(Instant.now())) {
            return known.zone();
        }
        return remember(usersId, fetch("user", usersId));
    }

    /** Keeps a fetched user's zone (a user event's fetch serves the next entries and absences too). */
    ZoneId remember(String usersId, JsonNode user) {
        ZoneId zone = defaultZone;
        String name = user == null ? null : user.path("timezone").asText(null);
        if (name != null) {
            try {
                zone = ZoneId.of(name);
            } catch (DateTimeException unknown) {
                // Clockodo's zones are IANA names; one this JVM does not know falls back to the default.
            }
        }
        if (userZones.size() > 10_000) {
            userZones.clear();
        }
        userZones.put(usersId, new Zone(zone, Instant.now()));
        return zone;
    }

    /** Every page of a paged list ({@code paging.count_pages}), the items of whichever envelope the answer uses. */
    private List<JsonNode> list(String path, Map<String, String> query, double share, String... envelopes) {
        List<JsonNode> items = new ArrayList<>();
        int pages = 1;
        for (int page = 1; page <= pages && page <= MAX_PAGES; page++) {
            Map<String, String> paged = new LinkedHashMap<>(query);
            paged.put("page", String.valueOf(page));
            JsonNode body = get(path, paged, share);
            if (body == null) {
                break;
            }
            for (String envelope : envelopes) {
                body.path(envelope).forEach(items::add);
            }
            pages = body.path("paging").path("count_pages").asInt(1);
        }
        return items;
    }

    /** One GET: the answer's JSON, or null for 404; every other answer but 200 is {@link ClockodoUnavailable}. */
    private JsonNode get(String path, Map<String, String> query, double share) {
        if (!isConfigured()) {
            throw new ClockodoUnavailable(problem(), null);
        }
        Exchange answer = template().request("direct:clockodo-api", exchange -> {
            exchange.setVariable("clockodoPath", path);
            exchange.setVariable("clockodoQuery", query(query));
            exchange.setVariable(ClockodoRateLimit.SHARE, share);
        });
        Exception failure = answer.getException();
        if (failure != null) {
            metrics().clockodoCall(failure instanceof CallNotPermittedException ? "circuit-open" : "error");
            problem = failure instanceof CallNotPermittedException
                    ? "Clockodo's API failed repeatedly: calls are paused (circuit breaker open) and tried again shortly"
                    : "Clockodo's API cannot be reached: " + failure.getMessage();
            throw new ClockodoUnavailable(problem, null);
        }
        int status = answer.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        metrics().clockodoCall(String.valueOf(status));
        String body = answer.getMessage().getBody(String.class);
        switch (status) {
            case 200 -> {
                problem = null;
                try {
                    return JSON.readTree(body);
                } catch (IOException notJson) {
                    problem = "Clockodo's API answered " + path + " with a body that is not JSON";
                    throw new ClockodoUnavailable(problem, null);
                }
            }
            case 404 -> {
                problem = null;
                return null;
            }
            case 401, 403 -> problem = "Clockodo refused the API credentials (HTTP " + status + "): check CLOCKODO_API_USER and CLOCKODO_API_KEY"
                    + " and the user's rights";
            case 400 -> problem = "Clockodo's API answered HTTP 400 for " + path + " (" + errorOf(body) + "); retrying later";
            default -> {
                problem = "Clockodo's API answered HTTP " + status + "; retrying later";
                if (status == 429 || status >= 500) {
                    throw new ClockodoUnavailable(problem, RetryAfter.parse(answer.getMessage().getHeader("Retry-After", String.class), Instant.now()));
                }
            }
        }
        throw new ClockodoUnavailable(problem, null);
    }

    /** The message of Clockodo's error body ({"error": {...}} in v2, {"errors": [...]} in v3 and v4), short. */
    private static String errorOf(String body) {
        try {
            JsonNode error = JSON.readTree(body);
            JsonNode message = error.path("error").path("message");
            if (message.isMissingNode()) {
                message = error.path("errors").path(0).path("message");
            }
            String text = message.isMissingNode() ? "no message" : message.asText();
            return text.length() > 120 ? text.substring(0, 120) + "…" : text;
        } catch (Exception notJson) {
            return "no message";
        }
    }

    private static String query(Map<String, String> parameters) {
        StringBuilder query = new StringBuilder();
        parameters.forEach((name, value) -> {
            if (query.length() > 0) {
                query.append('&');
            }
            query.append(URLEncoder.encode(name, StandardCharsets.UTF_8)).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
        });
        return query.toString();
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
