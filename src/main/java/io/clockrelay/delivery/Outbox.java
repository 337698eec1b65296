package io.clockrelay.delivery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clockrelay.observe.ClockrelayMetrics;
import io.clockrelay.observe.TargetHealthCheck;
import io.clockrelay.record.TimeRecord;
import io.clockrelay.store.ErrorText;
import io.clockrelay.store.LeaseKeeper;
import io.clockrelay.store.Leases;
import io.clockrelay.store.Transactions;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The deliveries table: one row per (canonical record, target that wants it), from the moment its webhook is
 * processed until the target has it or it is dead-lettered.
 */
public class Outbox {

    private static final com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>> MAP = new com.fasterxml.jackson.core.type.TypeReference<>() {
    };
    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);
    /**
     * A delivery waits for the earlier pending ones of its target and user (ordering key): a claim takes a user's
     * next records together, in order, and never one while an earlier one is outside it (held by another claim, of
     * any instance, alive or dead, or waiting for its retry).
     */
    private static final Leases.Order ORDER = new Leases.Order("c.target, c.ordering_key", (row, first, keys) -> {
        if (row.getString(first + 1) != null) {
            keys.add(orderOf(row.getString(first), row.getString(first + 1)));
        }
    });

    private final DataSource store;
    private final TargetCatalog targets;
    private final ObjectMapper json;
    private final Clock clock;
    private final int batchSize;
    private final LeaseKeeper leases;
    private final ClockrelayMetrics metrics;
    private final BooleanSupplier stopping;
    /** Each claim loop's latest claim, to release at shutdown. */
    private final Map<Thread, String> currentClaims = new java.util.concurrent.ConcurrentHashMap<>();
    /** How many claim loops serve each target now, and which target each loop serves. */
    private final Map<String, AtomicInteger> serving = new ConcurrentHashMap<>();
    private final Map<Thread, String> servedBy = new ConcurrentHashMap<>();
    private final int loopsPerTarget;
    private final Map<String, TargetHealthCheck> health = new java.util.concurrent.ConcurrentHashMap<>();

    /** {@code loopsPerTarget}: at most this many of the instance's claim loops serve one target at a time. */
    public Outbox(DataSource store, TargetCatalog targets, ObjectMapper json, Clock clock, int batchSize, int loopsPerTarget, LeaseKeeper leases,
                  ClockrelayMetrics metrics, BooleanSupplier stopping) {
        this.loopsPerTarget = loopsPerTarget;
        this.store = store;
        this.targets = targets;
        this.json = json;
        this.clock = clock;
        this.batchSize = batchSize;
        this.leases = leases;
        this.metrics = metrics;
        this.stopping = stopping;
        targets.all().forEach(target -> health.put(target.name(), new TargetHealthCheck(target.name())));
        targets.all().forEach(target -> serving.put(target.name(), new AtomicInteger()));
    }

    /**
     * One delivery per (record, target that wants it), written in the caller's transaction (the process stage's,
     * which marks the webhook processed in the same one). {@code inboxId} names the webhook the records came from.
     */
    public void enqueue(Connection connection, List<TimeRecord> records, long inboxId) throws SQLException {
        if (records.isEmpty()) {
            return;
        }
        Timestamp now = Timestamp.from(Instant.now(clock));
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO deliveries (target, event_id, record_id, ordering_key, source, entity, event_type, record, inbox_id,"
                        + " status, attempts, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)")) {
            for (TimeRecord record : records) {
                Map<String, Object> asMap = json.convertValue(record, MAP);
                String body = null;
                for (Target target : targets.all()) {
                    if (target.wants(record, asMap)) {
                        body = body != null ? body : asJson(record);
                        insert.setString(1, target.name());
                        insert.setString(2, record.eventId());
                        insert.setString(3, record.recordId());
                        insert.setString(4, record.orderingKey());
                        insert.setString(5, record.source());
                        insert.setString(6, record.entity());
                        insert.setString(7, record.eventType());
                        insert.setString(8, body);
                        insert.setLong(9, inboxId);
                        insert.setTimestamp(10, now);
                        insert.setTimestamp(11, now);
                        insert.addBatch();
                    }
                }
            }
            insert.executeBatch();
        }
    }

    private String asJson(TimeRecord record) {
        try {
            return json.writeValueAsString(record);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a record could not be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Each target's health as this instance's deliveries find it, for /observe/health. */
    public Collection<TargetHealthCheck> healthChecks() {
        return health.values();
    }

    /**
     * Claims up to a batch of due deliveries of one target, in order: a user's records from its oldest pending one
     * on, as many as the batch holds; none once stopping. The target is the one fewest of this instance's claim loops
     * serve, among those that have due deliveries and fewer than {@code loopsPerTarget} loops at work: a target that
     * answers slowly holds at most that many loops, and the others' records keep flowing.
     */
    public List<Delivery> claim() throws SQLException {
        Thread loop = Thread.currentThread();
        // This loop's previous claim is finished: every delivery of it was delivered, failed or left to the shutdown.
        leases.drop(currentClaims.remove(loop));
        String served = servedBy.remove(loop);
        if (served != null) {
            serving.get(served).decrementAndGet();
        }
        if (stopping.getAsBoolean()) {
            return List.of();
        }
        // Ordered by a snapshot of the counts: other loops change them meanwhile, which a comparator must not see.
        Map<String, Integer> load = new java.util.HashMap<>();
        serving.forEach((target, loops) -> load.put(target, loops.get()));
        List<String> byLoad = new ArrayList<>(load.keySet());
        byLoad.sort(java.util.Comparator.comparing(load::get));
        for (String target : byLoad) {
            AtomicInteger loops = serving.get(target);
            if (loops.incrementAndGet() > loopsPerTarget) {
                loops.decrementAndGet();
                continue;
            }
            Leases.Claim<Delivery> claim = claim(target);
            if (claim.token() == null) {
                loops.decrementAndGet();
                continue;
            }
            servedBy.put(loop, target);
            currentClaims.put(loop, claim.token());
            leases.hold("deliveries", claim.token());
            return claim.rows();
        }
        return List.of();
    }

    private Leases.Claim<Delivery> claim(String target) throws SQLException {
        return Leases.claim(store, "deliveries",
                "c.id, c.target, c.event_id, c.record_id, c.ordering_key, c.source, c.entity, c.event_type, c.record, c.attempts, c.created_at",
                "c.target = ?", List.of(target), ORDER, batchSize, Instant.now(clock), leases,
                (row, token) -> new Delivery(row.getLong(1), row.getString(2), row.getString(3), row.getString(4), row.getString(5),
                        row.getString(6), row.getString(7), row.getString(8), row.getString(9), row.getInt(10),
                        row.getTimestamp(11).toInstant(), token),
                Delivery::id, Leases.all());
    }

    private static String orderOf(String target, String orderingKey) {
        return target + "\u0000" + orderingKey;
    }

    /** A target's share of a claim starts with no user held back. */
    public Set<String> newHold() {
        return ConcurrentHashMap.newKeySet();
    }

    /**
     * Whether this delivery must wait because an earlier record of its user, in the same share of the claim, failed
     * and waits for its retry: then it leaves the claim (pending, unleased) and is claimed again after that one.
     */
    public boolean heldBack(@ExchangeProperty("delivery") Delivery delivery, @ExchangeProperty("held") Set<String> held) throws SQLException {
        if (held == null || delivery.orderingKey() == null || !held.contains(delivery.orderingKey())) {
            return false;
        }
        try (Connection connection = store.getConnection();
             PreparedStatement release = connection.prepareStatement("UPDATE deliveries SET claim_token = NULL, lease_until = NULL"
                     + " WHERE id = ? AND claim_token = ?")) {
            release.setLong(1, delivery.id());
            release.setString(2, delivery.claimToken());
            release.executeUpdate();
        }
        return true;
    }

    /** At shutdown: the deliveries of this instance's last claims that are still pending become claimable at once. */
    public void releaseClaims() throws SQLException {
        for (String claim : currentClaims.values()) {
            Leases.release(store, "deliveries", claim);
        }
    }

    /** Whether a target's share of a claim goes as one batch: the target takes batches, and there is more than one. */
    public boolean isBatch(List<Delivery> group) {
        return group.size() > 1 && targets.get(group.get(0).target()).batch();
    }

    /** A batch's body: its records (JSON), in claim order. */
    public List<String> records(@ExchangeProperty("batch") List<Delivery> batch) {
        return batch.stream().map(Delivery::record).toList();
    }

    /** A whole batch delivered: one statement marks them all. */
    public void deliveredAll(@ExchangeProperty("batch") List<Delivery> batch) throws SQLException {
        Timestamp now = Timestamp.from(Instant.now(clock));
        String ids = String.join(",", batch.stream().map(delivery -> String.valueOf(delivery.id())).toList());
        try (Connection connection = store.getConnection();
             PreparedStatement update = connection.prepareStatement(
                     "UPDATE deliveries SET status = 'delivered', delivered_at = ?, delivered_by = ?, attempts = attempts + 1,"
                             + " claim_token = NULL, lease_until = NULL, last_error = NULL WHERE claim_token = ? AND id IN (" + ids + ")")) {
            update.setTimestamp(1, now);
            update.setString(2, leases.instance());
            update.setString(3, batch.get(0).claimToken());
            update.executeUpdate();
        }
        Instant at = now.toInstant();
        metrics.attempt(batch.get(0).target(), true, batch.size());
        metrics.called(batch.get(0).target(), batch.size());
        health.get(batch.get(0).target()).delivered();
        for (Delivery delivery : batch) {
            logDelivered(delivery, "batch of " + batch.size());
            metrics.delivered(delivery.target(), Duration.between(delivery.createdAt(), at));
        }
    }

    public void delivered(@ExchangeProperty("delivery") Delivery delivery) throws SQLException {
        Timestamp now = Timestamp.from(Instant.now(clock));
        try (Connection connection = store.getConnection();
             PreparedStatement update = connection.prepareStatement(
                     "UPDATE deliveries SET status = 'delivered', delivered_at = ?, delivered_by = ?, attempts = attempts + 1,"
                             + " claim_token = NULL, lease_until = NULL, last_error = NULL WHERE id = ? AND claim_token = ?")) {
            update.setTimestamp(1, now);
            update.setString(2, leases.instance());
            update.setLong(3, delivery.id());
            update.setString(4, delivery.claimToken());
            update.executeUpdate();
        }
        logDelivered(delivery, "alone");
        health.get(delivery.target()).delivered();
        metrics.attempt(delivery.target(), true, 1);
        metrics.called(delivery.target(), 1);
        metrics.delivered(delivery.target(), Duration.between(delivery.createdAt(), now.toInstant()));
    }

    private static void logDelivered(Delivery delivery, String how) {
        LOG.info("delivery delivered target={} source={} eventId={} recordId={} attempt={} ({})", delivery.target(), delivery.source(),
                delivery.eventId(), delivery.recordId(), delivery.attempts() + 1, how);
    }

    /** After a failed attempt: retry with back-off, or move the row to the dead letters when retrying cannot help. */
    public void failed(@ExchangeProperty("delivery") Delivery delivery, @ExchangeProperty("held") Set<String> held,
                       @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception exception) throws SQLException {
        Instant now = Instant.now(clock);
        int attempts = delivery.attempts() + 1;
        DeliveryFailure failure = DeliveryFailure.of(exception, now);
        String reason = ErrorText.of(failure.reason());
        health.get(delivery.target()).failed(reason, now);
        Instant next = failure.permanent() ? null
                : targets.get(delivery.target()).retry().nextAttempt(attempts, delivery.createdAt(), now, failure.retryAfter());
        if (next == null) {
            deadLetter(delivery, attempts, reason, now);
            metrics.attempt(delivery.target(), false, 1);
            metrics.deadLettered(delivery.target());
            LOG.warn("delivery dead-lettered target={} source={} eventId={} recordId={} attempts={} reason={}", delivery.target(),
                    delivery.source(), delivery.eventId(), delivery.recordId(), attempts, failure.permanent() ? "permanent: " + reason : "retries exhausted: " + reason);
            return;
        }
        try (Connection connection = store.getConnection();
             PreparedStatement update = connection.prepareStatement(
                     "UPDATE deliveries SET attempts = ?, next_attempt_at = ?, last_error = ?, claim_token = NULL, lease_until = NULL"
                             + " WHERE id = ? AND claim_token = ?")) {
            update.setInt(1, attempts);
            update.setTimestamp(2, Timestamp.from(next));
            update.setString(3, reason);
            update.setLong(4, delivery.id());
            update.setString(5, delivery.claimToken());
            update.executeUpdate();
        }
        if (held != null && delivery.orderingKey() != null) {
            held.add(delivery.orderingKey());
        }
        metrics.attempt(delivery.target(), false, 1);
        LOG.warn("delivery failed target={} source={} eventId={} recordId={} attempt={} retryIn={}s reason={}", delivery.target(),
                delivery.source(), delivery.eventId(), delivery.recordId(), attempts, Duration.between(now, next).toSeconds(), reason);
    }

    /** Moves the claimed row, as it is, to the dead letters; nothing happens if another worker holds it now. */
    private void deadLetter(Delivery delivery, int attempts, String reason, Instant now) throws SQLException {
        Transactions.run(store, connection -> {
            try (PreparedStatement copy = connection.prepareStatement(
                    "INSERT INTO dead_letters (delivery_id, target, event_id, record_id, ordering_key, source, entity, event_type, record,"
                            + " attempts, last_error, created_at, failed_at, inbox_id)"
                            + " SELECT id, target, event_id, record_id, ordering_key, source, entity, event_type, record, ?, ?, created_at, ?, inbox_id"
                            + " FROM deliveries WHERE id = ? AND claim_token = ?");
                 PreparedStatement delete = connection.prepareStatement("DELETE FROM deliveries WHERE id = ? AND claim_token = ?")) {
                copy.setInt(1, attempts);
                copy.setString(2, reason);
                copy.setTimestamp(3, Timestamp.from(now));
                copy.setLong(4, delivery.id());
                copy.setString(5, delivery.claimToken());
                copy.executeUpdate();
                delete.setLong(1, delivery.id());
                delete.setString(2, delivery.claimToken());
                delete.executeUpdate();
            }
        });
    }
}
