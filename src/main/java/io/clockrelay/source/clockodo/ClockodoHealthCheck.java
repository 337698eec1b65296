package io.clockrelay.source.clockodo;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.util.Map;

/**
 * Clockodo enrichment: UP while it works, UNKNOWN (degraded) with the reason when it is not configured or Clockodo
 * refuses or fails. Never DOWN: webhooks are still accepted and kept, so the app stays ready.
 */
public class ClockodoHealthCheck extends AbstractHealthCheck {

    private ClockodoApi api;

    public ClockodoHealthCheck() {
        super("clockrelay", "clockodo-api");
    }

    public void setApi(ClockodoApi api) {
        this.api = api;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    /** Reported on /observe/health, never part of /observe/health/ready: Camel's readiness wants every check UP. */
    @Override
    public boolean isReadiness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        String problem = api.problem();
        if (problem == null) {
            builder.up();
        } else {
            builder.message(problem).unknown();
        }
    }
}
