package io.clockrelay.source.clockodo;

import io.clockrelay.record.RetryAfter;

import java.time.Duration;

/** Clockodo's API could not answer now (rate limit, 5xx, timeout, not configured, credentials refused): the event is tried again later. */
public class ClockodoUnavailable extends RuntimeException implements RetryAfter {

    private final Duration retryAfter;

    public ClockodoUnavailable(String message, Duration retryAfter) {
        super(message, null, false, false);
        this.retryAfter = retryAfter;
    }

    @Override
    public Duration retryAfter() {
        return retryAfter;
    }
}
