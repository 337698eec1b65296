package io.clockrelay.webhook;

import java.time.Duration;

/**
 * What the webhook port takes on at once, so that no load can exhaust the heap: the size of one body, the bytes of
 * all bodies in flight, the requests in flight, the open connections, and the time a request may take to arrive.
 * Set in application.properties (camel.server.max-body-size and clockrelay.webhooks.*); checked at start.
 */
public record IntakeLimits(long maxBodyBytes, long maxInFlightBytes, int maxConcurrentRequests, int maxConnections,
                           Duration readTimeout) {

    /** The in-flight budget when none is set: a share of the heap small enough to leave room for what bodies become. */
    public static long inFlightBytesFromHeap() {
        // A body is held about three times while it is read and verified (Vert.x's buffer, Camel's bytes, the
        // payload's text): a sixteenth of the heap in flight keeps that under a fifth of it.
        return Runtime.getRuntime().maxMemory() / 16;
    }
}
