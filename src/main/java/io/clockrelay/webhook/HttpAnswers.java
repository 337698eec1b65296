package io.clockrelay.webhook;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.clockrelay.observe.ClockrelayMetrics;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

/**
 * The answers of the webhook port that no Camel route gives, in the same JSON as the routes' own: 404 for a path
 * that is no endpoint, 405 (with Allow) for a method an endpoint does not take, 413 for a body over
 * CLOCKRELAY_MAX_BODY_BYTES, and 503 (with Retry-After) for every webhook that arrives while clockrelay is starting
 * (the port listens before the routes exist) or shutting down (before its routes read it, and after they have
 * stopped until the port closes). Installed on the Vert.x router of the webhook server before it listens.
 */
public class HttpAnswers implements StartupListener {

    private static final Logger LOG = LoggerFactory.getLogger(HttpAnswers.class);
    private static final String WEBHOOKS = "/webhooks/";

    private final ClockrelayMetrics metrics;
    private final BooleanSupplier stopping;
    private final long maxBodyBytes;
    /** The vendors with a receive route: the only values the source label and log field take. */
    private final Set<String> sources = new java.util.concurrent.ConcurrentSkipListSet<>();
    /** Every route has started: webhooks are taken from here on. */
    private volatile boolean ready;

    public HttpAnswers(ClockrelayMetrics metrics, BooleanSupplier stopping, long maxBodyBytes) {
        this.metrics = metrics;
        this.stopping = stopping;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** Called by the webhook server ({@link WebhookServerFactory}) once its router exists, before the port listens. */
    void install(Router router) {
        // Failures of any route, the body limit's 413 among them; the first failure handler answers.
        router.route().order(Integer.MIN_VALUE).failureHandler(this::failed);
        // Until every route has started, and from SIGTERM on, before any route reads the body: the vendor retries.
        router.route(WEBHOOKS + "*").order(Integer.MIN_VALUE + 1).handler(this::refuseUnlessReady);
        // Reached only when no route took the request.
        router.route().order(Integer.MAX_VALUE).handler(routing -> unmatched(router, routing));
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
        context.getRegistry().findByType(WebhookVerifier.class).forEach(verifier -> sources.add(verifier.source()));
        ready = true;
    }

    private void failed(RoutingContext routing) {
        if (routing.response().headWritten()) {
            // The answer was already on its way (writing it failed): whatever it said stands, nothing to count.
            LOG.debug("failure after the answer was written: {}", String.valueOf(routing.failure()));
            return;
        }
        int status = routing.statusCode() > 0 ? routing.statusCode() : 500;
        String message;
        String reason;
        if (status == 413) {
            reason = "too-large";
            message = "the body is larger than " + maxBodyBytes + " bytes (CLOCKRELAY_MAX_BODY_BYTES)";
        } else {
            reason = "http-" + status;
            message = status >= 500 ? "internal error: the webhook was not stored" : "the request could not be read";
        }
        refuse(routing, status, reason, message);
    }

    private void refuseUnlessReady(RoutingContext routing) {
        if (!ready) {
            routing.response().putHeader("Retry-After", "5");
            refuse(routing, 503, "starting", "clockrelay is starting: send the webhook again in a moment");
        } else if (stopping.getAsBoolean()) {
            routing.response().putHeader("Retry-After", "5");
            refuse(routing, 503, "shutting-down", "clockrelay is shutting down: send the webhook again in a moment");
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
            refuse(routing, 405, "method", routing.request().method().name() + " is not accepted here: use " + String.join(" or ", allowed));
            return;
        }
        routing.response().setStatusCode(404).putHeader("Content-Type", "application/json")
                .end(body("no endpoint at " + printable(path) + ": webhooks go to POST /webhooks/clockeye, /webhooks/connecteam or /webhooks/clockodo"));
        LOG.debug("no endpoint: {} {}", routing.request().method(), printable(path));
    }

    private void refuse(RoutingContext routing, int status, String reason, String message) {
        String path = routing.normalizedPath();
        String vendor = path.startsWith(WEBHOOKS) ? path.substring(WEBHOOKS.length()) : "";
        String source = sources.contains(vendor) ? vendor : "unknown";
        if (!routing.response().ended()) {
            routing.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body(message));
        }
        LOG.info("webhook rejected source={} status={} reason={}: {}", source, status, reason, message);
        metrics.refusedByServer(source, reason);
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
