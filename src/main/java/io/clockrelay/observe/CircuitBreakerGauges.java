package io.clockrelay.observe;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;

import java.util.Locale;
import java.util.Map;

/**
 * {@code clockrelay_api_circuit_state{api, state}}: 1 for the state each vendor API's circuit breaker is in
 * (closed, open, half_open), 0 for the others; every circuit breaker bean a route file declares, found at start.
 */
public class CircuitBreakerGauges implements StartupListener {

    private static final CircuitBreaker.State[] STATES = {CircuitBreaker.State.CLOSED, CircuitBreaker.State.OPEN, CircuitBreaker.State.HALF_OPEN};
    private final MeterRegistry registry;

    public CircuitBreakerGauges(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        for (Map.Entry<String, CircuitBreaker> breaker : context.getRegistry().findByTypeWithName(CircuitBreaker.class).entrySet()) {
            for (CircuitBreaker.State state : STATES) {
                Gauge.builder("clockrelay.api.circuit.state", breaker.getValue(), b -> b.getState() == state ? 1 : 0)
                        .description("1 for the state the API's circuit breaker is in: calls pause while it is open")
                        .tag("api", breaker.getValue().getName()).tag("state", state.name().toLowerCase(Locale.ROOT))
                        .strongReference(true).register(registry);
            }
        }
    }
}
