package io.clockrelay.webhook;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;

import java.util.Locale;

/**
 * The steps every receive route shares before and after the vendor's own verification: take the raw bytes of a
 * JSON request, then parse them.
 */
public class WebhookRequest {

    public static final String RAW_BODY = "rawBody";
    public static final String JSON = "json";

    private final ObjectMapper json;

    public WebhookRequest(ObjectMapper json) {
        this.json = json;
    }

    /** 415 unless the request says it is JSON; keeps the raw bytes for the verifier. */
    public void requireJson(Exchange exchange) {
        String contentType = exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, String.class);
        if (!isJson(contentType)) {
            throw new WebhookRejected(415, "content-type",
                    "Content-Type must be application/json, not " + (contentType == null ? "missing" : "'" + printable(contentType) + "'"));
        }
        byte[] body = exchange.getMessage().getBody(byte[].class);
        exchange.setVariable(RAW_BODY, body == null ? new byte[0] : body);
    }

    /** 400 unless the raw bytes are one JSON object. */
    public void parse(Exchange exchange) {
        byte[] body = exchange.getVariable(RAW_BODY, byte[].class);
        if (body.length == 0) {
            throw WebhookRejected.badRequest("the body is empty: a JSON object was expected");
        }
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (JacksonException e) {
            throw WebhookRejected.badRequest("the body is not valid JSON: " + e.getOriginalMessage());
        } catch (Exception e) {
            throw WebhookRejected.badRequest("the body is not valid JSON");
        }
        if (node == null || !node.isObject()) {
            throw WebhookRejected.badRequest("the body must be a JSON object");
        }
        exchange.setVariable(JSON, node);
    }

    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String mediaType = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return mediaType.equals("application/json") || (mediaType.startsWith("application/") && mediaType.endsWith("+json"));
    }

    private static String printable(String value) {
        String cut = value.length() > 100 ? value.substring(0, 100) + "…" : value;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
