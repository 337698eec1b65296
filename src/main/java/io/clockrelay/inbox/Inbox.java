package io.clockrelay.inbox;

import io.clockrelay.record.RetryAfter;
import io.clockrelay.store.ErrorText;
import io.clockrelay.store.LeaseKeeper;
import io.clockrelay.store.Leases;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * The asynchronous stages' side of the inbox: claim received webhooks in the order they must be mapped, mark them
 * processed, put back those that could not be processed yet, and set aside those that never can be.
 *
 * <p>Order: a webhook is claimed only when every earlier pending webhook that shares its ordering key (the
 * employee) or its record key is claimed with it. One that waits for a retry, or is held by another instance (alive,
 * or dead until its lease expires), holds back the later ones of its keys, so that they are never mapped and
 * delivered ahead of it.
 */
public class Inbox {

    private static final Logger LOG = LoggerFactory.getLogger(Inbox.class);
    private static final Duration MAX_RETRY_DELAY = Duration.ofHours(1);
    private static final String COLUMNS = "c.id, c.source, c.event_id, c.event_type, c.ordering_key, c.record_key, c.received_at,"
            + " c.payload, c.attempts";
    /** A webhook waits for the earlier pending ones of its employee and of its record. */
    static final Leases.Order ORDER = new Leases.Order("c.ordering_key, c.record_key", (row, first, keys) -> {
        String orderingKey = row.getString(first);
        String recordKey = row.getString(first + 1);
        if (orderingKey != null) {
            keys.add("ordering:" + orderingKey);
        }
        if (recordKey != null) {
            keys.add("record:" + recordKey);
        }
    });

    private final DataSource store;
    private final Clock clock;
    private final int batchSize;
    private final LeaseKeeper leases;
    private final BooleanSupplier stopping;
    private final String sourceCondition;
    private final List<Object> sourceParameters;
    private final boolean gatherRecords;
    /** The claims this instance's loops hold, to release at shutdown. */
    private final Set<String> open = ConcurrentHashMap.newKeySet();

    /**
     * @param sources the sources this inbox's stage maps; {@code excluded} true: every source but these
     * @param gatherRecords true: a claim also takes the later waiting webhooks of the records it claims, so that the
     *                      newest of them can serve all (a stage whose vendor names only what changed)
     */
    public Inbox(DataSource store, Clock clock, int batchSize, LeaseKeeper leases, BooleanSupplier stopping,
                 Collection<String> sources, boolean excluded, boolean gatherRecords) {
        this.gatherRecords = gatherRecords;
        this.store = store;
        this.clock = clock;
        this.batchSize = batchSize;
        this.leases = leases;
        this.stopping = stopping;
        this.sourceParameters = List.copyOf(sources);
        this.sourceCondition = sources.isEmpty() ? (excluded ? "1 = 1" : "1 = 0")
                : "c.source " + (excluded ? "NOT IN" : "IN") + " (" + String.join(",", java.util.Collections.nCopies(sources.size(), "?")) + ")";
    }

    /**
     * Claims up to a batch of due rows in the order they must be mapped (their ids); nothing once clockrelay is
     * shutting down. The claim is held (its lease renewed) until {@link #finished} is called with its token.
     */
    public List<InboxEvent> claim() throws SQLException {
        if (stopping.getAsBoolean()) {
            return List.of();
        }
        Instant now = Instant.now(clock);
        Leases.Claim<InboxEvent> claim = Leases.claim(store, "inbox", COLUMNS, sourceCondition, sourceParameters, ORDER, batchSize, now, leases,
                Inbox::read, InboxEvent::id, gatherRecords ? (connection, claimed) -> gather(connection, claimed, now) : Leases.all());
        if (claim.token() != null) {
            open.add(claim.token());
            leases.hold("inbox", claim.token());
        }
        return claim.rows();
    }

    private static InboxEvent read(ResultSet row, String token) throws SQLException {
        return new InboxEvent(row.getLong(1), row.getString(2), row.getString(3), row.getString(4), row.getString(5), row.getString(6),
                row.getTimestamp(7).toInstant(), row.getString(8), row.getInt(9), token);
    }

    /**
     * The claim and, after it, the other due webhooks waiting for the records it claims (every earlier one of those
     * records is in the claim already, so none is taken out of order), at most ten batches' worth.
     */
    private List<InboxEvent> gather(Connection connection, List<InboxEvent> kept, Instant now) throws SQLException {
        Set<String> records = new LinkedHashSet<>();
        Set<Long> ids = new HashSet<>();
        for (InboxEvent event : kept) {
            if (event.recordKey() != null) {
                records.add(event.recordKey());
            }
            ids.add(event.id());
        }
        if (records.isEmpty()) {
            return kept;
        }
        // By record key alone (its index): the free ones are chosen here, then locked by id. A condition on the
        // status would let PostgreSQL, its statistics stale after a burst, read every pending row instead.
        List<Long> wanted = new ArrayList<>();
        Timestamp at = Timestamp.from(now);
        String marks = String.join(",", java.util.Collections.nCopies(records.size(), "?"));
        try (PreparedStatement more = connection.prepareStatement("SELECT c.id, c.status, c.next_attempt_at, c.lease_until, c.ordering_key"
                + " FROM inbox c WHERE c.record_key IN (" + marks + ")")) {
            int index = 1;
            for (String record : records) {
                more.setString(index++, record);
            }
            try (ResultSet rows = more.executeQuery()) {
                while (rows.next()) {
                    Timestamp lease = rows.getTimestamp(4);
                    if (!ids.contains(rows.getLong(1)) && "pending".equals(rows.getString(2)) && !rows.getTimestamp(3).after(at)
                            && (lease == null || lease.before(at)) && rows.getString(5) == null) {
                        wanted.add(rows.getLong(1));
                    }
                }
            }
        }
        wanted.sort(null);
        List<InboxEvent> all = new ArrayList<>(kept);
        if (!wanted.isEmpty()) {
            all.addAll(Leases.lockFree(connection, "inbox", COLUMNS, wanted.subList(0, Math.min(wanted.size(), 10 * batchSize)), at,
                    Inbox::read, kept.get(0).claimToken(), InboxEvent::id).values());
        }
        all.sort(Comparator.comparingLong(InboxEvent::id));
        return all;
    }

    /** The claim's work is over (every row processed, put back or set aside): its lease is no longer renewed. */
    public void finished(String token) {
        leases.drop(token);
        open.remove(token);
    }

    /** Marks claimed rows processed, in the caller's transaction; fails if another worker has taken one of them. */
    public void markProcessed(Connection connection, List<InboxEvent> events) throws SQLException {
        Timestamp now = Timestamp.from(Instant.now(clock));
        try (PreparedStatement done = connection.prepareStatement(
                "UPDATE inbox SET status = 'done', processed_at = ?, claim_token = NULL, lease_until = NULL, last_error = NULL"
                        + " WHERE id = ? AND claim_token = ?")) {
            for (InboxEvent event : events) {
                done.setTimestamp(1, now);
                done.setLong(2, event.id());
                done.setString(3, event.claimToken());
                done.addBatch();
            }
            for (int count : done.executeBatch()) {
                if (count == 0) {
                    throw new IllegalStateException("an inbox row was claimed by another worker; left to it");
                }
            }
        }
    }

    /** Releases a row that failed to process, to be tried again after an exponential back-off; nothing is dropped. */
    public void retryLater(InboxEvent event, Exception failure) throws SQLException {
        int attempts = event.attempts() + 1;
        Duration delay = Duration.ofSeconds(1L << Math.min(attempts, 12));
        if (delay.compareTo(MAX_RETRY_DELAY) > 0) {
            delay = MAX_RETRY_DELAY;
        }
        if (failure instanceof RetryAfter hint && hint.retryAfter() != null) {
            // The failure knows when to try again (a vendor's Retry-After, an API that needs a moment): at least that.
            delay = hint.retryAfter().compareTo(delay) > 0 || hint.exact() ? hint.retryAfter() : delay;
        }
        LOG.warn("webhook not processed source={} eventId={} attempt={} retryIn={}s: {}",
                event.source(), event.eventId(), attempts, delay.toSeconds(), failure.getMessage());
        update(event, "UPDATE inbox SET attempts = ?, next_attempt_at = ?, last_error = ?, claim_token = NULL, lease_until = NULL"
                + " WHERE id = ? AND claim_token = ?", attempts, Timestamp.from(Instant.now(clock).plus(delay)), ErrorText.of(failure.getMessage()));
    }

    /**
     * Sets a row aside for good (status failed) with the reason: it can never be mapped as it is. It no longer holds
     * back the rows after it; an operator lists it and, once the cause is fixed, replays it.
     */
    public void setAside(InboxEvent event, String reason) throws SQLException {
        LOG.error("webhook failed source={} eventId={} eventType={}: set aside, replay it once fixed: {}",
                event.source(), event.eventId(), event.eventType(), reason);
        update(event, "UPDATE inbox SET status = 'failed', attempts = ?, failed_at = ?, last_error = ?, claim_token = NULL, lease_until = NULL"
                + " WHERE id = ? AND claim_token = ?", event.attempts() + 1, Timestamp.from(Instant.now(clock)), ErrorText.of(reason));
    }

    /** Hands claimed rows back untouched (they waited for an earlier one that is put back): claimable again at once. */
    public void putBack(List<InboxEvent> events) throws SQLException {
        for (InboxEvent event : events) {
            try (Connection connection = store.getConnection();
                 PreparedStatement update = connection.prepareStatement(
                         "UPDATE inbox SET claim_token = NULL, lease_until = NULL WHERE id = ? AND claim_token = ?")) {
                update.setLong(1, event.id());
                update.setString(2, event.claimToken());
                update.executeUpdate();
            }
        }
    }

    /** At shutdown: the rows of this instance's open claims that are still pending become claimable at once. */
    public void releaseClaims() throws SQLException {
        for (String token : open) {
            Leases.release(store, "inbox", token);
        }
    }

    private void update(InboxEvent event, String sql, int attempts, Timestamp at, String error) throws SQLException {
        try (Connection connection = store.getConnection(); PreparedStatement update = connection.prepareStatement(sql)) {
            update.setInt(1, attempts);
            update.setTimestamp(2, at);
            update.setString(3, error);
            update.setLong(4, event.id());
            update.setString(5, event.claimToken());
            update.executeUpdate();
        }
    }
}
