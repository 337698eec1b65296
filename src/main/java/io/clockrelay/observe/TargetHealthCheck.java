package io.clockrelay.observe;

import org.apache.camel.health.HealthCheckResultBuilder;

import java.time.Instant;
import java.util.Map;

/**
 * One target as this instance last found it: UP after a delivery went through, UNKNOWN (degraded) with the reason
 * while its deliveries fail. Never DOWN: the records wait in the outbox, webhooks are still accepted, so the app
 * stays ready.
 */
public class TargetHealthCheck extends ReportedHealthCheck {

    private final String target;
    private volatile Instant failingSince;
    private volatile String reason;

    public TargetHealthCheck(String target) {
        super("target-" + target);
        this.target = target;
    }

    public String target() {
        return target;
    }

    public void delivered() {
        failingSince = null;
        reason = null;
    }

    public void failed(String why, Instant at) {
        if (failingSince == null) {
            failingSince = at;
        }
        reason = why;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        Instant since = failingSince;
        if (since == null) {
            builder.up();
        } else {
            builder.detail("failing_since", since.toString())
                    .message("deliveries to " + target + " are failing since " + since + ": " + reason).unknown();
        }
    }
}
