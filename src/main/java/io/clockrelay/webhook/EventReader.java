package io.clockrelay.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;
import org.apache.camel.Handler;

/** Reads a vendor's event id, type and ordering keys from a verified, parsed webhook. One implementation per vendor. */
public interface EventReader {

    /** The exchange variable holding the {@link ReceivedEvent}. */
    String EVENT = "receivedEvent";
    int MAX_ID_LENGTH = 255;

    /** The event's identity and ordering keys; throws {@link WebhookRejected} (400) when a required field is missing or malformed. */
    ReceivedEvent read(JsonNode body, byte[] rawBody);

    @Handler
    default void readEvent(Exchange exchange) {
        ReceivedEvent event = read(exchange.getVariable(WebhookRequest.JSON, JsonNode.class),
                exchange.getVariable(WebhookRequest.RAW_BODY, byte[].class));
        exchange.setVariable(EVENT, event);
    }

    /** A required string field: present, a JSON string, not blank, at most {@link #MAX_ID_LENGTH} characters. */
    static String requiredText(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            throw WebhookRejected.badRequest("'" + field + "' is missing");
        }
        if (!value.isTextual()) {
            throw WebhookRejected.badRequest("'" + field + "' must be a string, not " + value.getNodeType().name().toLowerCase());
        }
        String text = value.textValue();
        if (text.isBlank()) {
            throw WebhookRejected.badRequest("'" + field + "' is empty");
        }
        if (text.length() > MAX_ID_LENGTH) {
            throw WebhookRejected.badRequest("'" + field + "' is longer than " + MAX_ID_LENGTH + " characters");
        }
        return text;
    }
}
