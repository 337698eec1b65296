package io.clockrelay.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.camel.Exchange;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * clockrelay's own Prometheus meters, named for the domain (the README lists them, with alerts). Labels take only
 * bounded values: sources, targets, entities, outcomes and reasons; never an event id, a URL or a secret.
 */
public class ClockrelayMetrics {

    /** Answer time buckets: the acknowledgement goal is 10 ms; a vendor gives up after seconds. */
    private static final Duration[] REQUEST_BUCKETS = durations(1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000);
    /** Delivery buckets: from a fast target to a day of retries. */
    private static final Duration[] DELIVERY_BUCKETS = durations(10, 50, 100, 250, 500, 1000, 5000, 30_000, 60_000, 300_000,
            900_000, 3_600_000, 21_600_000, 86_400_000);

    private final MeterRegistry registry;

    public ClockrelayMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** A webhook answered: accepted, duplicate or rejected (with its reason), and how long the answer took. */
    public void webhook(Exchange exchange, String source, String outcome, String reason) {
        String vendor = source == null ? "unknown" : source;
        webhooks(vendor, outcome, reason).increment();
        Timer.builder("clockrelay.webhook.request").description("Time from a webhook's arrival to its answer")
                .serviceLevelObjectives(REQUEST_BUCKETS)
                .tags("source", vendor, "outcome", outcome)
                .register(registry).record(exchange.getClock().elapsed(), TimeUnit.MILLISECONDS);
    }

    /** A webhook the HTTP server refused before any route saw it (404, 405, 408, 413, an early 401 or 503): counted, without an answer time. */
    public void refusedByServer(String source, String reason) {
        webhooks(source, "rejected", reason).increment();
    }

    /**
     * What the webhook port holds at once, read when scraped: the bytes of request bodies and the requests in flight
     * (against CLOCKRELAY_MAX_IN_FLIGHT_BYTES and CLOCKRELAY_MAX_CONCURRENT_REQUESTS), and its open connections.
     */
    public void inFlight(LongSupplier bytes, IntSupplier requests, IntSupplier connections) {
        Gauge.builder("clockrelay.webhook.in.flight.bytes", bytes::getAsLong).description("Bytes of webhook bodies admitted and not yet answered")
                .register(registry);
        Gauge.builder("clockrelay.webhook.in.flight.requests", requests::getAsInt).description("Webhook requests admitted and not yet answered")
                .register(registry);
        Gauge.builder("clockrelay.webhook.connections", connections::getAsInt).description("Open connections on the webhook port")
                .register(registry);
    }

    /** A connection of the webhook port closed before a request: too many open, or no request head in time. */
    public void connectionClosed(String reason) {
        Counter.builder("clockrelay.webhook.connections.closed").description("Connections the webhook port closed without a request, by reason")
                .tag("reason", reason).register(registry).increment();
    }

    /** A reconciliation run: its outcome, and what it checked and healed (missing, changed, removed). */
    public void reconciled(String source, boolean succeeded, int checked, int missing, int changed, int removed) {
        Counter.builder("clockrelay.reconcile.runs").description("Reconciliation runs against a vendor's API, by outcome")
                .tags("source", source, "outcome", succeeded ? "success" : "failure").register(registry).increment();
        String[] results = {"checked", "missing", "changed", "removed"};
        int[] counts = {checked, missing, changed, removed};
        for (int i = 0; i < results.length; i++) {
            Counter.builder("clockrelay.reconcile.entities").description("Entities a reconciliation checked, and healed: missing, changed, removed")
                    .tags("source", source, "result", results[i]).register(registry).increment(counts[i]);
        }
    }

    /** A webhook set aside as failed (it can never be mapped as it is): counted by source. */
    public void webhookFailed(String source) {
        Counter.builder("clockrelay.webhooks.failed").description("Accepted webhooks set aside because they can never be mapped as they are")
                .tag("source", source).register(registry).increment();
    }

    /** Canonical records written to the outbox (committed), by source and entity. */
    public void recordProduced(String source, String entity) {
        Counter.builder("clockrelay.records").description("Canonical records produced, by source and entity")
                .tags("source", source, "entity", entity)
                .register(registry).increment();
    }

    /** One attempt at a target: delivered or failed. */
    public void attempt(String target, boolean delivered, int count) {
        Counter.builder("clockrelay.delivery.attempts").description("Delivery attempts, by target and outcome")
                .tags("target", target, "outcome", delivered ? "delivered" : "failed")
                .register(registry).increment(count);
    }

    /** One successful call to a target and the records it carried: 1, or a batch target's share of a claim. */
    public void called(String target, int records) {
        DistributionSummary.builder("clockrelay.delivery.call.records").description("Records per successful call to a target (more than 1: a batch)")
                .baseUnit("records").tags("target", target)
                .register(registry).record(records);
    }

    /** A delivery finished: delivered (with the time since the record entered the outbox) or dead-lettered. */
    public void delivered(String target, Duration sinceQueued) {
        deliveries(target, "delivered").increment();
        Timer.builder("clockrelay.delivery.latency").description("Time from a record's entry into the outbox to its target's confirmation")
                .serviceLevelObjectives(DELIVERY_BUCKETS)
                .tags("target", target)
                .register(registry).record(sinceQueued.isNegative() ? Duration.ZERO : sinceQueued);
    }

    public void deadLettered(String target) {
        deliveries(target, "dead_lettered").increment();
    }

    /** A call to Clockodo's API: its HTTP status, or "error" when there was no answer. */
    public void clockodoCall(String status) {
        Counter.builder("clockrelay.clockodo.api.calls").description("Calls to Clockodo's API, by HTTP status")
                .tags("status", status)
                .register(registry).increment();
    }

    private Counter webhooks(String source, String outcome, String reason) {
        return Counter.builder("clockrelay.webhooks").description("Webhooks answered, by source, outcome and rejection reason")
                .tags("source", source, "outcome", outcome, "reason", reason).register(registry);
    }

    private Counter deliveries(String target, String outcome) {
        return Counter.builder("clockrelay.deliveries").description("Deliveries finished, by target and outcome")
                .tags("target", target, "outcome", outcome).register(registry);
    }

    private static Duration[] durations(long... millis) {
        Duration[] durations = new Duration[millis.length];
        for (int i = 0; i < millis.length; i++) {
            durations[i] = Duration.ofMillis(millis[i]);
        }
        return durations;
    }
}
