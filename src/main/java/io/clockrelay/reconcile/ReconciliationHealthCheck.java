package io.clockrelay.reconcile;

import io.clockrelay.store.Jobs;
import org.apache.camel.health.HealthCheckResultBuilder;
import io.clockrelay.observe.ReportedHealthCheck;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * A vendor's reconciliation: UP while it succeeds at least every two intervals (on any instance), UNKNOWN (degraded)
 * with the time of its last success when it has failed for longer. Never part of readiness: webhooks are still taken.
 */
public class ReconciliationHealthCheck extends ReportedHealthCheck {

    private final Reconciler reconciler;
    private final Jobs jobs;
    private final Duration interval;
    private final Clock clock;
    private final Instant started;

    public ReconciliationHealthCheck(Reconciler reconciler, Jobs jobs, Duration interval, Clock clock) {
        super("reconcile-" + reconciler.source());
        this.reconciler = reconciler;
        this.jobs = jobs;
        this.interval = interval;
        this.clock = clock;
        this.started = Instant.now(clock);
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        if (!reconciler.isConfigured()) {
            builder.message(reconciler.source() + " is not reconciled: " + reconciler.notConfigured()).up();
            return;
        }
        try {
            Instant last = jobs.lastSuccess("reconcile-" + reconciler.source()).orElse(null);
            Instant since = last != null ? last : started;
            if (Duration.between(since, Instant.now(clock)).compareTo(interval.multipliedBy(2)) > 0) {
                builder.message("the reconciliation of " + reconciler.source() + " has not succeeded since " + (last != null ? last : "the start")
                        + ": webhooks it missed are not healed meanwhile; see the log (reconciliation source=" + reconciler.source() + ")").unknown();
            } else {
                builder.detail("last_success", String.valueOf(last)).up();
            }
        } catch (Exception e) {
            builder.message("the reconciliation's state cannot be read: " + e.getMessage()).unknown();
        }
    }
}
