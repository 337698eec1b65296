package io.clockrelay.webhook;

import io.clockrelay.inbox.InboxWriter;
import io.clockrelay.observe.ClockrelayMetrics;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;

/**
 * The last step of every receive route: the verified webhook into the inbox (one committed insert), then the
 * answer: 200 accepted, 200 duplicate, or 503 when the inbox cannot be written (the vendor retries).
 */
public class WebhookIntake {

    public static final String ACCEPTED = "{\"status\":\"accepted\"}";
    public static final String DUPLICATE = "{\"status\":\"duplicate\"}";
    private static final Logger LOG = LoggerFactory.getLogger(WebhookIntake.class);

    private final InboxWriter inbox;
    private final ClockrelayMetrics metrics;

    public WebhookIntake(InboxWriter inbox, ClockrelayMetrics metrics) {
        this.inbox = inbox;
        this.metrics = metrics;
    }

    public void store(Exchange exchange) {
        String source = exchange.getVariable("source", String.class);
        ReceivedEvent event = exchange.getVariable(EventReader.EVENT, ReceivedEvent.class);
        String payload = new String(exchange.getVariable(WebhookRequest.RAW_BODY, byte[].class), StandardCharsets.UTF_8);
        String stored;
        try {
            stored = inbox.store(new InboxWriter.Webhook(source, event.eventId(), event.eventType(), event.orderingKey(),
                    event.recordKey(), payload, event.idFromContent()));
        } catch (InboxWriter.Unavailable e) {
            LOG.error("webhook not stored source={} eventId={}: the inbox cannot be written: {}", source, event.eventId(), e.getMessage());
            throw WebhookRejected.unavailable("store", "the webhook could not be stored: retry later");
        }
        boolean inserted = stored != null;
        LOG.info("webhook {} source={} eventId={} eventType={}", inserted ? "accepted" : "duplicate", source, inserted ? stored : event.eventId(),
                event.eventType());
        metrics.webhook(exchange, source, inserted ? "accepted" : "duplicate", "none");
        // The request's headers (signatures, tokens) must not be echoed in the answer.
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setBody(inserted ? ACCEPTED : DUPLICATE);
    }
}
