package io.clockrelay.webhook;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.clockrelay.observe.ClockrelayMetrics;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a refused webhook: the status of its {@link WebhookRejected} and a JSON body naming the problem.
 * Anything else that went wrong is a 500 whose details stay in the log.
 */
public class WebhookErrors {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookErrors.class);

    private final ClockrelayMetrics metrics;

    public WebhookErrors(ClockrelayMetrics metrics) {
        this.metrics = metrics;
    }

    public void answer(Exchange exchange) {
        Exception failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String source = exchange.getVariable("source", String.class);
        int status;
        String message;
        if (failure instanceof WebhookRejected rejected) {
            status = rejected.status();
            message = rejected.getMessage();
            LOG.info("webhook rejected source={} status={} reason={}: {}", source, status, rejected.reason(), message);
            metrics.webhook(exchange, source, "rejected", rejected.reason());
        } else {
            status = 500;
            message = "internal error: the webhook was not stored";
            LOG.error("webhook failed source={}", source, failure);
            metrics.webhook(exchange, source, "rejected", "internal");
        }
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setBody("{\"status\":\"rejected\",\"error\":\"" + new String(JsonStringEncoder.getInstance().quoteAsString(message)) + "\"}");
    }
}
