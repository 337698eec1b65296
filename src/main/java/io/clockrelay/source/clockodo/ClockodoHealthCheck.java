package io.clockrelay.source.clockodo;

import org.apache.camel.health.HealthCheckResultBuilder;
import io.clockrelay.observe.ReportedHealthCheck;

import java.util.Map;

/**
 * Clockodo enrichment: UP while it works, UNKNOWN (degraded) with the reason when Clockodo refuses or fails, or when
 * Clockodo's webhooks are configured and the API credentials are not. Never DOWN: webhooks are still accepted and
 * kept, so the app stays ready. Where Clockodo is not used at all, there is nothing to report: UP.
 */
public class ClockodoHealthCheck extends ReportedHealthCheck {

    private ClockodoApi api;
    private ClockodoVerifier webhooks;

    public ClockodoHealthCheck() {
        super("clockodo-api");
    }

    public void setApi(ClockodoApi api) {
        this.api = api;
    }

    public void setWebhooks(ClockodoVerifier webhooks) {
        this.webhooks = webhooks;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        if (!api.isConfigured() && !webhooks.isConfigured()) {
            // No notification is accepted without the token, so none waits for the credentials.
            builder.message("Clockodo is not used: " + webhooks.secretSetting() + " is not set").up();
            return;
        }
        builder.detail("circuit", api.circuitState().name());
        String problem = api.problem();
        if (api.isConfigured() && api.circuitState() != io.github.resilience4j.circuitbreaker.CircuitBreaker.State.CLOSED) {
            builder.message("Clockodo's API failed repeatedly (circuit breaker " + api.circuitState() + "): calls are paused and tried"
                    + " again shortly; notifications wait in the inbox" + (problem == null ? "" : ". Last: " + problem)).unknown();
        } else if (problem == null) {
            builder.up();
        } else {
            builder.message(problem).unknown();
        }
    }
}
