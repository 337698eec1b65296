package io.clockrelay.observe;

import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * A check that is reported on /observe/health but is never part of readiness nor liveness: what it watches (a
 * target, a vendor's API, a reconciliation) can fail while webhooks are still accepted and kept, so the app stays
 * ready. Camel's readiness wants every check UP; these say UP or UNKNOWN (degraded), with the reason.
 */
public abstract class ReportedHealthCheck extends AbstractHealthCheck {

    protected ReportedHealthCheck(String id) {
        super("clockrelay", id);
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    public boolean isReadiness() {
        return false;
    }
}
