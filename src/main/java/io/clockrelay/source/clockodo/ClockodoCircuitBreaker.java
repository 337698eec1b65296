package io.clockrelay.source.clockodo;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import org.apache.camel.Exchange;

import java.time.Duration;

/**
 * Builds the circuit breaker the Circuit Breaker EIP of {@code direct:clockodo-api} uses (a bean, so that the
 * enrichment stage and the health check read the same breaker's state). It opens when, of the last calls, at least
 * the failure rate failed: timeouts and refused connections (exceptions), and answers of 500 and above. It stays open
 * a while (nothing is claimed for Clockodo meanwhile: the notifications wait in the inbox), then lets a few calls
 * through half-open, and closes when they succeed. 429 is not a failure: the rate limit and Retry-After handle it.
 */
public class ClockodoCircuitBreaker {

    private int failureRatePercent = 50;
    private int minimumCalls = 5;
    private int window = 10;
    private int openSeconds = 30;

    public void setFailureRatePercent(int failureRatePercent) {
        this.failureRatePercent = failureRatePercent;
    }

    public void setMinimumCalls(int minimumCalls) {
        this.minimumCalls = minimumCalls;
    }

    public void setWindow(int window) {
        this.window = window;
    }

    public void setOpenSeconds(int openSeconds) {
        this.openSeconds = openSeconds;
    }

    public CircuitBreaker build() {
        return CircuitBreaker.of("clockodo-api", CircuitBreakerConfig.custom()
                .failureRateThreshold(failureRatePercent)
                .minimumNumberOfCalls(minimumCalls)
                .slidingWindowSize(window)
                .waitDurationInOpenState(Duration.ofSeconds(openSeconds))
                .permittedNumberOfCallsInHalfOpenState(2)
                // Without it the breaker would stay open for good: nothing calls while it is open.
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .recordResult(result -> result instanceof Exchange exchange
                        && exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class) >= 500)
                .build());
    }
}
