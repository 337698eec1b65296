package io.clockrelay.webhook;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of request bodies and the requests the webhook port holds at once. A request takes its share before its
 * body is read (its Content-Length, or the largest body allowed when it does not say) and gives it back once
 * answered; a request whose share does not fit is refused instead of read.
 */
final class InFlightBudget {

    /** What was full. */
    enum Shortage { BYTES, REQUESTS }

    private final long maxBytes;
    private final int maxRequests;
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicInteger requests = new AtomicInteger();

    InFlightBudget(long maxBytes, int maxRequests) {
        this.maxBytes = maxBytes;
        this.maxRequests = maxRequests;
    }

    /** Null when the share is taken (give it back with {@link #release}), or what is full. */
    Shortage reserve(long bodyBytes) {
        if (requests.incrementAndGet() > maxRequests) {
            requests.decrementAndGet();
            return Shortage.REQUESTS;
        }
        if (bytes.addAndGet(bodyBytes) > maxBytes) {
            bytes.addAndGet(-bodyBytes);
            requests.decrementAndGet();
            return Shortage.BYTES;
        }
        return null;
    }

    void release(long bodyBytes) {
        bytes.addAndGet(-bodyBytes);
        requests.decrementAndGet();
    }

    long bytes() {
        return bytes.get();
    }

    int requests() {
        return requests.get();
    }
}
