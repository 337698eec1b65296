package io.clockrelay.observe;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The backlog as the store holds it (the same for every instance sharing it): pending and failed inbox rows, pending
 * deliveries and the age of the oldest per target, dead letters per target. Read with three queries at most every
 * few seconds, however often Prometheus scrapes; NaN while the store cannot be read.
 */
public class StoreGauges {

    private static final Logger LOG = LoggerFactory.getLogger(StoreGauges.class);
    private static final Duration FRESH = Duration.ofSeconds(5);

    private final DataSource store;
    private final Clock clock;
    private Snapshot snapshot = new Snapshot(Instant.EPOCH, Double.NaN, Double.NaN, Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), false);
    private Collection<String> sources = java.util.List.of();

    private record Snapshot(Instant at, double inboxPending, double inboxFailed, Map<String, Double> outboxPending,
                            Map<String, Instant> oldestPending, Map<String, Double> deadLetters, Map<String, Instant> lastWebhook,
                            Map<String, Instant> lastReconciled, boolean read) {
    }

    public StoreGauges(DataSource store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** Strong references: the meters are all that holds this object (Micrometer holds a gauge's object weakly by default). */
    public void register(MeterRegistry registry, Collection<String> targets, Collection<String> sources, Collection<String> reconciled) {
        this.sources = sources;
        for (String source : sources) {
            Gauge.builder("clockrelay.last.webhook.age", this, gauges -> gauges.age(gauges.current().lastWebhook().get(source)))
                    .description("Seconds since the vendor's newest accepted webhook (all instances): a vendor gone silent")
                    .baseUnit("seconds").tag("source", source).strongReference(true).register(registry);
        }
        for (String source : reconciled) {
            Gauge.builder("clockrelay.reconcile.last.success", this, gauges -> gauges.epochSeconds(gauges.current().lastReconciled().get(source)))
                    .description("When the vendor's last reconciliation succeeded (Unix seconds, any instance); NaN before the first")
                    .baseUnit("seconds").tag("source", source).strongReference(true).register(registry);
        }
        Gauge.builder("clockrelay.inbox.pending", this, gauges -> gauges.current().inboxPending())
                .description("Accepted webhooks not yet turned into records (all instances)").strongReference(true).register(registry);
        Gauge.builder("clockrelay.inbox.failed", this, gauges -> gauges.current().inboxFailed())
                .description("Accepted webhooks set aside because they can never be mapped as they are, waiting for an operator")
                .strongReference(true).register(registry);
        for (String target : targets) {
            Gauge.builder("clockrelay.outbox.pending", this, gauges -> gauges.pending(target))
                    .description("Records waiting for delivery to the target, retries included").tag("target", target)
                    .strongReference(true).register(registry);
            Gauge.builder("clockrelay.outbox.oldest.pending.age", this, gauges -> gauges.oldestAge(target))
                    .description("Age of the target's oldest undelivered record: how far the target is behind")
                    .baseUnit("seconds").tag("target", target).strongReference(true).register(registry);
            Gauge.builder("clockrelay.dead.letters", this, gauges -> gauges.deadLetters(target))
                    .description("Dead letters of the target waiting for an operator").tag("target", target)
                    .strongReference(true).register(registry);
        }
    }

    private double pending(String target) {
        Snapshot current = current();
        return current.read() ? current.outboxPending().getOrDefault(target, 0.0) : Double.NaN;
    }

    private double oldestAge(String target) {
        Snapshot current = current();
        if (!current.read()) {
            return Double.NaN;
        }
        Instant oldest = current.oldestPending().get(target);
        return oldest == null ? 0 : Math.max(0, Duration.between(oldest, current.at()).toMillis() / 1000.0);
    }

    private double age(Instant at) {
        Snapshot current = current();
        return !current.read() || at == null ? Double.NaN : Math.max(0, Duration.between(at, current.at()).toMillis() / 1000.0);
    }

    private double epochSeconds(Instant at) {
        return at == null ? Double.NaN : at.getEpochSecond();
    }

    private double deadLetters(String target) {
        Snapshot current = current();
        return current.read() ? current.deadLetters().getOrDefault(target, 0.0) : Double.NaN;
    }

    private synchronized Snapshot current() {
        Instant now = Instant.now(clock);
        if (now.isBefore(snapshot.at().plus(FRESH))) {
            return snapshot;
        }
        try (Connection connection = store.getConnection(); Statement statement = connection.createStatement()) {
            double inbox = 0;
            double failed = 0;
            try (ResultSet rows = statement.executeQuery("SELECT status, COUNT(*) FROM inbox WHERE status IN ('pending', 'failed') GROUP BY status")) {
                while (rows.next()) {
                    if (rows.getString(1).equals("pending")) {
                        inbox = rows.getLong(2);
                    } else {
                        failed = rows.getLong(2);
                    }
                }
            }
            Map<String, Double> pending = new HashMap<>();
            Map<String, Instant> oldest = new HashMap<>();
            try (ResultSet rows = statement.executeQuery(
                    "SELECT target, COUNT(*), MIN(created_at) FROM deliveries WHERE status = 'pending' GROUP BY target")) {
                while (rows.next()) {
                    pending.put(rows.getString(1), (double) rows.getLong(2));
                    Timestamp first = rows.getTimestamp(3);
                    if (first != null) {
                        oldest.put(rows.getString(1), first.toInstant());
                    }
                }
            }
            Map<String, Double> dead = new HashMap<>();
            try (ResultSet rows = statement.executeQuery("SELECT target, COUNT(*) FROM dead_letters GROUP BY target")) {
                while (rows.next()) {
                    dead.put(rows.getString(1), (double) rows.getLong(2));
                }
            }
            Map<String, Instant> lastWebhook = new HashMap<>();
            for (String source : sources) {
                // The newest by the (source, received_at) index: one row, however long the inbox.
                try (java.sql.PreparedStatement newest = connection.prepareStatement("SELECT received_at FROM inbox WHERE source = ?"
                        + " AND event_type <> 'reconciled' ORDER BY received_at DESC LIMIT 1")) {
                    newest.setString(1, source);
                    try (ResultSet row = newest.executeQuery()) {
                        if (row.next()) {
                            lastWebhook.put(source, row.getTimestamp(1).toInstant());
                        }
                    }
                }
            }
            Map<String, Instant> lastReconciled = new HashMap<>();
            try (ResultSet rows = statement.executeQuery("SELECT name, last_success_at FROM clockrelay_jobs WHERE name LIKE 'reconcile-%'"
                    + " AND last_success_at IS NOT NULL")) {
                while (rows.next()) {
                    lastReconciled.put(rows.getString(1).substring("reconcile-".length()), rows.getTimestamp(2).toInstant());
                }
            }
            snapshot = new Snapshot(now, inbox, failed, pending, oldest, dead, lastWebhook, lastReconciled, true);
        } catch (Exception unreadable) {
            if (snapshot.read() || snapshot.at().equals(Instant.EPOCH)) {
                LOG.warn("backlog metrics unavailable until the store can be read: {}", unreadable.toString());
            }
            snapshot = new Snapshot(now, Double.NaN, Double.NaN, Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), false);
        }
        return snapshot;
    }
}
