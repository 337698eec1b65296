package io.clockrelay.source.clockodo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clockrelay.webhook.WebhookRequest;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Clockodo's validation of a new (or moved) webhook: it sends a secret that the operator must type into Clockodo.
 * The secret is answered 200, written to the log with what to do with it, and kept (the last ten) for the admin
 * view {@code GET /admin/clockodo-validations} on the management port. Nothing is stored in the inbox.
 */
public class ClockodoValidation {

    private static final Logger LOG = LoggerFactory.getLogger(ClockodoValidation.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int KEPT = 10;
    private final Deque<Map<String, String>> recent = new ArrayDeque<>();

    /** A validation request: a {@code secret} query parameter, or a JSON body with {@code secret} and no event. */
    public boolean isValidation(Exchange exchange) {
        if (exchange.getMessage().getHeader("secret") != null) {
            return true;
        }
        JsonNode body = exchange.getVariable(WebhookRequest.JSON, JsonNode.class);
        return body != null && body.has("secret") && !body.has("event_name");
    }

    public void confirm(Exchange exchange) {
        Object fromQuery = exchange.getMessage().getHeader("secret");
        JsonNode body = exchange.getVariable(WebhookRequest.JSON, JsonNode.class);
        String secret = printable(fromQuery != null ? fromQuery.toString() : body.path("secret").asText(""));
        synchronized (recent) {
            Map<String, String> entry = new LinkedHashMap<>();
            entry.put("receivedAt", Instant.now().toString());
            entry.put("secret", secret);
            recent.addFirst(entry);
            while (recent.size() > KEPT) {
                recent.removeLast();
            }
        }
        // This one value is logged on purpose: it is a one-time confirmation code the operator must type into Clockodo.
        LOG.warn("Clockodo is validating a webhook: enter this secret in Clockodo to activate it: {}", secret);
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setBody("{\"status\":\"validated\"}");
    }

    /** The admin view: the secrets of the last validations, newest first. */
    public String recent() throws Exception {
        List<Map<String, String>> copy;
        synchronized (recent) {
            copy = List.copyOf(recent);
        }
        return JSON.writeValueAsString(Map.of("validations", copy));
    }

    private static String printable(String value) {
        String cut = value.length() > 200 ? value.substring(0, 200) : value;
        return cut.replaceAll("[^\\x21-\\x7e]", "?");
    }
}
