package io.clockrelay.webhook;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

/**
 * Decides, from its headers alone, whether a webhook's body may be read: runs on the Vert.x router before the body
 * handler Camel puts on each route. Refused without reading the body: a Content-Length over the body limit (413), a
 * request the vendor's headers already rule out (401), one that does not fit the in-flight budget or the
 * concurrency cap (503 with Retry-After). An admitted request holds its share until it is answered, and must arrive
 * whole within the read timeout (408 otherwise).
 */
final class WebhookAdmission {

    private final IntakeLimits limits;
    private final InFlightBudget budget;
    private final BiConsumer<RoutingContext, Refusal> refuse;

    WebhookAdmission(IntakeLimits limits, InFlightBudget budget, BiConsumer<RoutingContext, Refusal> refuse) {
        this.limits = limits;
        this.budget = budget;
        this.refuse = refuse;
    }

    /** The router's handler for one request on /webhooks/*; {@code verifier} is its vendor's, or null. */
    void admit(RoutingContext routing, WebhookVerifier verifier) {
        HttpServerRequest request = routing.request();
        long declared = declaredLength(request);
        if (declared > limits.maxBodyBytes()) {
            refuse.accept(routing, new Refusal(413, "too-large", HttpAnswers.tooLarge(limits.maxBodyBytes()),
                    Refusal.Afterwards.DISCARD_BODY_THEN_CLOSE));
            return;
        }
        // POST only: another method is answered 405 by the routes, whatever its headers.
        WebhookHeaders headers = verifier != null && verifier.isConfigured() && request.method() == HttpMethod.POST ? headersOf(request) : null;
        if (headers != null) {
            Verification verification = verifier.verifyHeaders(headers);
            if (!verification.accepted()) {
                refuse.accept(routing, new Refusal(401, "verification", verification.reason(), Refusal.Afterwards.DISCARD_BODY_THEN_CLOSE));
                return;
            }
        }
        long share = declared >= 0 ? declared : mayCarryBody(request) ? limits.maxBodyBytes() : 0;
        InFlightBudget.Shortage shortage = budget.reserve(share);
        if (shortage != null) {
            refuse.accept(routing, shortage == InFlightBudget.Shortage.BYTES
                    ? Refusal.retryLater("shed-bytes", "clockrelay is receiving too many bytes at once: send the webhook again in a moment")
                    : Refusal.retryLater("shed-requests", "clockrelay is handling too many requests at once: send the webhook again in a moment"));
            return;
        }
        long timer = request.isEnded() ? -1 : routing.vertx().setTimer(limits.readTimeout().toMillis(), fired -> {
            if (!request.isEnded() && !routing.response().ended()) {
                refuse.accept(routing, new Refusal(408, "slow", "the body did not arrive within " + limits.readTimeout().toMillis()
                        + " ms of the headers (CLOCKRELAY_READ_TIMEOUT_MS): send the whole request at once", Refusal.Afterwards.CLOSE));
            }
        });
        AtomicBoolean released = new AtomicBoolean();
        routing.addEndHandler(answered -> {
            if (released.compareAndSet(false, true)) {
                budget.release(share);
                if (timer >= 0) {
                    routing.vertx().cancelTimer(timer);
                }
            }
        });
        routing.next();
    }

    /** The Content-Length, or -1 when there is none (a body sent in chunks) or it is not a number (Vert.x refuses it). */
    private static long declaredLength(HttpServerRequest request) {
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length == null) {
            return -1;
        }
        try {
            return Long.parseLong(length.trim());
        } catch (NumberFormatException notANumber) {
            return -1;
        }
    }

    /** Without a Content-Length, HTTP/1.1 has a body only in chunks; HTTP/2 may send one in frames. */
    private static boolean mayCarryBody(HttpServerRequest request) {
        return request.version() == HttpVersion.HTTP_2 || request.headers().contains(HttpHeaders.TRANSFER_ENCODING);
    }

    /** Null when the query string cannot be decoded: then the headers tell nothing, and the route answers. */
    private static WebhookHeaders headersOf(HttpServerRequest request) {
        try {
            return WebhookHeaders.of(request);
        } catch (RuntimeException undecodable) {
            return null;
        }
    }
}
