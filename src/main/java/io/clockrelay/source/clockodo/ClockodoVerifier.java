package io.clockrelay.source.clockodo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clockrelay.webhook.Secrets;
import io.clockrelay.webhook.Verification;
import io.clockrelay.webhook.WebhookHeaders;
import io.clockrelay.webhook.WebhookRequest;
import io.clockrelay.webhook.WebhookVerifier;
import org.apache.camel.Exchange;

/** Clockodo puts the token assigned to the webhook in the notification's body: {@code token} must be one of CLOCKODO_WEBHOOK_TOKEN's. */
public class ClockodoVerifier implements WebhookVerifier {

    private static final ObjectMapper JSON = new ObjectMapper();
    private Secrets tokens = Secrets.parse(null);

    /** Comma-separated, so that a token can be changed in Clockodo without downtime. */
    public void setTokens(String setting) {
        this.tokens = Secrets.parse(setting);
    }

    @Override
    public String source() {
        return "clockodo";
    }

    @Override
    public String secretSetting() {
        return "CLOCKODO_WEBHOOK_TOKEN";
    }

    @Override
    public boolean isConfigured() {
        return !tokens.isEmpty();
    }

    /** The route has parsed the body already (the token is in it): no second parse. */
    @Override
    public Verification verification(Exchange exchange) {
        JsonNode body = exchange.getVariable(WebhookRequest.JSON, JsonNode.class);
        return body != null ? verifyToken(body.get("token")) : WebhookVerifier.super.verification(exchange);
    }

    @Override
    public Verification verify(byte[] rawBody, WebhookHeaders headers) {
        try {
            return verifyToken(JSON.readTree(rawBody).get("token"));
        } catch (Exception notJson) {
            return Verification.reject("the body is not JSON, so it carries no token");
        }
    }

    private Verification verifyToken(JsonNode token) {
        if (token == null || token.isNull() || token.asText().isEmpty()) {
            return Verification.reject("'token' is missing");
        }
        if (!token.isTextual()) {
            return Verification.reject("'token' must be a string");
        }
        return tokens.matches(token.textValue()) ? Verification.accept() : Verification.reject("'token' does not match " + secretSetting());
    }
}
