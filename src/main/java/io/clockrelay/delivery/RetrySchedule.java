package io.clockrelay.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential back-off with jitter: the n-th retry waits about initial × 2^(n-1), capped at maxDelay, each wait
 * drawn from [½, 1] of that; a delivery older than maxAge is given up. The defaults (5 s, 1 h, 24 h) make about
 * thirty attempts over a day.
 */
public record RetrySchedule(Duration initialDelay, Duration maxDelay, Duration maxAge) {

    /** When to try again after {@code attempts} failed attempts, or null when the schedule is exhausted. */
    public Instant nextAttempt(int attempts, Instant createdAt, Instant now, Duration retryAfter) {
        long ceiling = Math.min(maxDelay.toMillis(), initialDelay.toMillis() << Math.min(attempts - 1, 30));
        long wait = ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
        if (retryAfter != null && retryAfter.toMillis() > wait) {
            wait = retryAfter.toMillis();
        }
        Instant next = now.plusMillis(wait);
        return next.isAfter(createdAt.plus(maxAge)) ? null : next;
    }
}
