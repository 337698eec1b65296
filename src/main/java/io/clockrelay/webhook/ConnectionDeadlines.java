package io.clockrelay.webhook;

import io.clockrelay.observe.ClockrelayMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.ext.web.RoutingContext;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The webhook port's connections: at most CLOCKRELAY_MAX_CONNECTIONS open (one more is closed at once), and each
 * closed when no complete request head arrives within the read timeout of its opening or of its last answer. Vert.x
 * has no timeout for a request's head, and its idle timeout is reset by every byte: a sender of one byte a second
 * would hold its connection, and the head it buffers, for ever.
 */
final class ConnectionDeadlines {

    private final Vertx vertx;
    private final IntakeLimits limits;
    private final ClockrelayMetrics metrics;
    private final AtomicInteger open = new AtomicInteger();
    private final Map<HttpConnection, Deadline> deadlines = new ConcurrentHashMap<>();

    ConnectionDeadlines(Vertx vertx, IntakeLimits limits, ClockrelayMetrics metrics) {
        this.vertx = vertx;
        this.limits = limits;
        this.metrics = metrics;
    }

    /** The server's connection handler, on the connection's event loop, before its first request. */
    void opened(HttpConnection connection) {
        connection.closeHandler(closed -> {
            open.decrementAndGet();
            Deadline deadline = deadlines.remove(connection);
            if (deadline != null) {
                deadline.cancel();
            }
        });
        if (open.incrementAndGet() > limits.maxConnections()) {
            metrics.connectionClosed("too-many");
            connection.close();
            return;
        }
        Deadline deadline = new Deadline(connection);
        deadlines.put(connection, deadline);
        deadline.arm();
    }

    /** The router's first handler for every request: its connection's deadline waits until it is answered. */
    void requestStarted(RoutingContext routing) {
        Deadline deadline = deadlines.get(routing.request().connection());
        if (deadline != null) {
            deadline.requests++;
            deadline.cancel();
            AtomicBoolean ended = new AtomicBoolean();
            routing.addEndHandler(answered -> {
                if (ended.compareAndSet(false, true) && --deadline.requests == 0) {
                    deadline.arm();
                }
            });
        }
        routing.next();
    }

    int open() {
        return open.get();
    }

    /** Touched only on the connection's event loop: its handlers, its requests' end handlers and its timer all run there. */
    private final class Deadline {
        private final HttpConnection connection;
        private int requests;
        private long timer = -1;

        Deadline(HttpConnection connection) {
            this.connection = connection;
        }

        void arm() {
            timer = vertx.setTimer(limits.readTimeout().toMillis(), fired -> {
                timer = -1;
                if (requests == 0) {
                    metrics.connectionClosed("timeout");
                    connection.close();
                }
            });
        }

        void cancel() {
            if (timer >= 0) {
                vertx.cancelTimer(timer);
                timer = -1;
            }
        }
    }
}
