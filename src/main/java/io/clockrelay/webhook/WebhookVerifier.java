package io.clockrelay.webhook;

import org.apache.camel.Exchange;
import org.apache.camel.Handler;

/**
 * Checks that a webhook comes from its vendor. One implementation per vendor; each must be total (junk in gives a
 * rejection, never an exception) and compare secrets in constant time.
 */
public interface WebhookVerifier {

    /** The vendor, as it appears in {@code source}: clockeye, connecteam, clockodo. */
    String source();

    /** The environment variable that holds the vendor's secret(s), for the messages that tell an operator what to set. */
    String secretSetting();

    boolean isConfigured();

    Verification verify(byte[] rawBody, WebhookHeaders headers);

    /**
     * What the headers and query parameters alone say, before the body is read: a rejection when they already rule
     * the request out (the same rejection {@link #verify} would give), so that the webhook port refuses it without
     * reading its body. Accepted means only "cannot tell yet": the body decides. The default, for vendors whose
     * proof is in the body, cannot tell.
     */
    default Verification verifyHeaders(WebhookHeaders headers) {
        return Verification.accept();
    }

    /** The verification of a request in a route; a vendor whose route parses first may read the parsed body instead. */
    default Verification verification(Exchange exchange) {
        return verify(exchange.getVariable(WebhookRequest.RAW_BODY, byte[].class), new WebhookHeaders(exchange.getMessage().getHeaders()));
    }

    /** The route step: 503 while the vendor is not configured, 401 when verification fails. */
    @Handler
    default void verifyRequest(Exchange exchange) {
        if (!isConfigured()) {
            throw WebhookRejected.unavailable("not-configured",
                    source() + " webhooks are not configured: set " + secretSetting() + " and restart clockrelay");
        }
        Verification verification = verification(exchange);
        if (!verification.accepted()) {
            throw WebhookRejected.unauthorized(verification.reason());
        }
    }
}
