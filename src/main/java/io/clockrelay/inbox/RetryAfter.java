package io.clockrelay.inbox;

import java.time.Duration;

/** A processing failure that knows when to try again (a vendor API's Retry-After): the inbox waits at least that long. */
public interface RetryAfter {

    Duration retryAfter();
}
