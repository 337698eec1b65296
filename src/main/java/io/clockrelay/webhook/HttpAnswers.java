package io.clockrelay.webhook;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.clockrelay.observe.ClockrelayMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * The answers of the webhook port that no Camel route gives, in the same JSON as the routes' own: 404 for a path
 * that is no endpoint, 405 (with Allow) for a method an endpoint does not take, 413 for a body over
 * CLOCKRELAY_MAX_BODY_BYTES, and 503 (with Retry-After) for every webhook that arrives while clockrelay is starting
 * (the port listens before the routes exist) or shutting down (before its routes read it, and after they have
 * stopped until the port closes); and the limits that keep a flood from exhausting the heap
 * ({@link WebhookAdmission}, {@link ConnectionDeadlines}). Installed on the Vert.x router of the webhook server
 * before it listens.
 */
public class HttpAnswers implements StartupListener {

    private static final Logger LOG = LoggerFactory.getLogger(HttpAnswers.class);
    private static final String WEBHOOKS = "/webhooks/";
    private static final Duration SHED_SUMMARY_INTERVAL = Duration.ofMinutes(1);

    private final ClockrelayMetrics metrics;
    private final BooleanSupplier stopping;
    private final IntakeLimits limits;
    private final InFlightBudget budget;
    private final WebhookAdmission admission;
    /** The vendors with a receive route, by name: the only values the source label and log field take. */
    private final Map<String, WebhookVerifier> verifiers = new ConcurrentHashMap<>();
    private volatile ConnectionDeadlines connections;
    private final AtomicLong shedSinceSummary = new AtomicLong();
    private final AtomicLong lastShedSummary = new AtomicLong(System.nanoTime() - SHED_SUMMARY_INTERVAL.toNanos());
    /** Every route has started: webhooks are taken from here on. */
    private volatile boolean ready;

    public HttpAnswers(ClockrelayMetrics metrics, BooleanSupplier stopping, IntakeLimits limits) {
        this.metrics = metrics;
        this.stopping = stopping;
        this.limits = limits;
        this.budget = new InFlightBudget(limits.maxInFlightBytes(), limits.maxConcurrentRequests());
        this.admission = new WebhookAdmission(limits, budget, this::refuse);
        metrics.inFlight(budget::bytes, budget::requests, () -> connections == null ? 0 : connections.open());
    }

    /** Called by the webhook server ({@link WebhookServerFactory}) once its router exists, before the port listens. */
    void install(Router router, Vertx vertx) {
        connections = new ConnectionDeadlines(vertx, limits, metrics);
        // Failures of any route, the body limit's 413 among them; the first failure handler answers.
        router.route().order(Integer.MIN_VALUE).failureHandler(this::failed);
        router.route().order(Integer.MIN_VALUE + 1).handler(connections::requestStarted);
        // Until every route has started, and from SIGTERM on, before any route reads the body: the vendor retries.
        router.route(WEBHOOKS + "*").order(Integer.MIN_VALUE + 2).handler(this::refuseUnlessReady);
        // Before the body handler Camel puts on each route: what is refused here is never read.
        router.route(WEBHOOKS + "*").order(Integer.MIN_VALUE + 3).handler(routing -> admission.admit(routing, verifiers.get(vendor(routing))));
        // Reached only when no route took the request.
        router.route().order(Integer.MAX_VALUE).handler(routing -> unmatched(router, routing));
    }

    /** The webhook server's connection handler. */
    void connectionOpened(HttpConnection connection) {
        connections.opened(connection);
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
        context.getRegistry().findByType(WebhookVerifier.class).forEach(verifier -> verifiers.put(verifier.source(), verifier));
        LOG.info("webhook limits: bodies up to {} bytes (CLOCKRELAY_MAX_BODY_BYTES), {} bytes of bodies and {} requests in flight"
                        + " (CLOCKRELAY_MAX_IN_FLIGHT_BYTES, CLOCKRELAY_MAX_CONCURRENT_REQUESTS), {} connections (CLOCKRELAY_MAX_CONNECTIONS),"
                        + " {} ms to send a request (CLOCKRELAY_READ_TIMEOUT_MS)", limits.maxBodyBytes(), limits.maxInFlightBytes(),
                limits.maxConcurrentRequests(), limits.maxConnections(), limits.readTimeout().toMillis());
        ready = true;
    }

    private void failed(RoutingContext routing) {
        if (routing.response().headWritten()) {
            // The answer was already on its way (writing it failed): whatever it said stands, nothing to count.
            LOG.debug("failure after the answer was written: {}", String.valueOf(routing.failure()));
            return;
        }
        int status = routing.statusCode() > 0 ? routing.statusCode() : 500;
        if (status == 413) {
            // A body sent in chunks, cut off at the limit: the rest is not read.
            refuse(routing, new Refusal(413, "too-large", tooLarge(limits.maxBodyBytes()), Refusal.Afterwards.CLOSE));
        } else {
            refuse(routing, new Refusal(status, "http-" + status,
                    status >= 500 ? "internal error: the webhook was not stored" : "the request could not be read", Refusal.Afterwards.KEEP));
        }
    }

    static String tooLarge(long maxBodyBytes) {
        return "the body is larger than " + maxBodyBytes + " bytes (CLOCKRELAY_MAX_BODY_BYTES)";
    }

    private void refuseUnlessReady(RoutingContext routing) {
        if (!ready) {
            refuse(routing, Refusal.retryLater("starting", "clockrelay is starting: send the webhook again in a moment"));
        } else if (stopping.getAsBoolean()) {
            refuse(routing, Refusal.retryLater("shutting-down", "clockrelay is shutting down: send the webhook again in a moment"));
        } else {
            routing.next();
        }
    }

    private void unmatched(Router router, RoutingContext routing) {
        String path = routing.normalizedPath();
        // Vert.x matches /webhooks/clockeye/ to /webhooks/clockeye; so does this.
        String route = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        Set<String> allowed = new TreeSet<>();
        for (Route candidate : router.getRoutes()) {
            if (route.equals(candidate.getPath()) && candidate.methods() != null) {
                candidate.methods().stream().map(HttpMethod::name).forEach(allowed::add);
            }
        }
        if (!allowed.isEmpty()) {
            routing.response().putHeader("Allow", String.join(", ", allowed));
            refuse(routing, new Refusal(405, "method", routing.request().method().name() + " is not accepted here: use "
                    + String.join(" or ", allowed), Refusal.Afterwards.KEEP));
            return;
        }
        routing.response().setStatusCode(404).putHeader("Content-Type", "application/json")
                .end(body("no endpoint at " + printable(path) + ": webhooks go to POST /webhooks/clockeye, /webhooks/connecteam or /webhooks/clockodo"));
        LOG.debug("no endpoint: {} {}", routing.request().method(), printable(path));
    }

    private void refuse(RoutingContext routing, Refusal refusal) {
        String vendor = vendor(routing);
        String source = verifiers.containsKey(vendor) ? vendor : "unknown";
        HttpServerResponse response = routing.response();
        // HTTP/2 has no Connection header, and its flow control already stops a stream whose body is not read.
        boolean close = refusal.afterwards() != Refusal.Afterwards.KEEP && routing.request().version() != HttpVersion.HTTP_2;
        if (!response.ended()) {
            if (refusal.status() == 503) {
                response.putHeader("Retry-After", "5");
            }
            if (close) {
                response.putHeader("Connection", "close");
            }
            response.setStatusCode(refusal.status()).putHeader("Content-Type", "application/json").end(body(refusal.message()));
        }
        if (close && refusal.afterwards() == Refusal.Afterwards.CLOSE) {
            response.close();
        } else if (close) {
            discardBodyThenClose(routing);
        }
        if (refusal.reason().startsWith("shed-")) {
            // A flood sheds thousands a second: one line a minute says so, the metrics count each.
            LOG.debug("webhook rejected source={} status={} reason={}: {}", source, refusal.status(), refusal.reason(), refusal.message());
            summarizeShedding();
        } else {
            LOG.info("webhook rejected source={} status={} reason={}: {}", source, refusal.status(), refusal.reason(), refusal.message());
        }
        metrics.refusedByServer(source, refusal.reason());
    }

    /**
     * Reads what is left of an unread body into nothing, at most the body limit within the read timeout, then closes
     * the connection: closing at once would reset it, and a sender still writing its body might never see the answer.
     */
    private void discardBodyThenClose(RoutingContext routing) {
        HttpServerRequest request = routing.request();
        HttpConnection connection = request.connection();
        if (request.isEnded()) {
            routing.response().close();
            return;
        }
        long timer = routing.vertx().setTimer(limits.readTimeout().toMillis(), fired -> connection.close());
        long[] discarded = {0};
        request.handler(chunk -> {
            discarded[0] += chunk.length();
            if (discarded[0] > limits.maxBodyBytes()) {
                connection.close();
            }
        });
        request.endHandler(ended -> {
            routing.vertx().cancelTimer(timer);
            routing.response().close();
        });
        request.resume();
    }

    private void summarizeShedding() {
        shedSinceSummary.incrementAndGet();
        long now = System.nanoTime();
        long last = lastShedSummary.get();
        if (now - last >= SHED_SUMMARY_INTERVAL.toNanos() && lastShedSummary.compareAndSet(last, now)) {
            LOG.warn("{} webhooks answered 503 since the last such line: more bytes or requests arrived at once than"
                    + " CLOCKRELAY_MAX_IN_FLIGHT_BYTES or CLOCKRELAY_MAX_CONCURRENT_REQUESTS allow (clockrelay_webhooks_total{reason=~\"shed-.*\"})",
                    shedSinceSummary.getAndSet(0));
        }
    }

    /** The vendor a /webhooks/ path names (Vert.x matches a trailing slash to the path without it), or "". */
    private static String vendor(RoutingContext routing) {
        String path = routing.normalizedPath();
        String vendor = path.startsWith(WEBHOOKS) ? path.substring(WEBHOOKS.length()) : "";
        return vendor.endsWith("/") ? vendor.substring(0, vendor.length() - 1) : vendor;
    }

    private static String body(String message) {
        return "{\"status\":\"rejected\",\"error\":\"" + new String(JsonStringEncoder.getInstance().quoteAsString(message)) + "\"}";
    }

    /** A path as it may appear in a log line or answer: printable ASCII, at most 100 characters. */
    private static String printable(String value) {
        String cut = value.length() > 100 ? value.substring(0, 100) + "…" : value;
        return cut.replaceAll("[^\\x20-\\x7e…]", "?");
    }
}
