package io.clockrelay.inbox;

import io.clockrelay.store.ErrorText;
import io.clockrelay.store.Leases;
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
import java.util.List;
import java.util.function.BooleanSupplier;

/** The process stage's side of the inbox: claim received webhooks, and put back those that could not be processed yet. */
public class Inbox {

    private static final Logger LOG = LoggerFactory.getLogger(Inbox.class);
    private static final Duration MAX_RETRY_DELAY = Duration.ofHours(1);

    private final DataSource store;
    private final Clock clock;
    private final int batchSize;
    private final Duration lease;
    private final BooleanSupplier stopping;
    private volatile String currentClaim;

    public Inbox(DataSource store, Clock clock, int batchSize, Duration lease, BooleanSupplier stopping) {
        this.store = store;
        this.stopping = stopping;
        this.clock = clock;
        this.batchSize = batchSize;
        this.lease = lease;
    }

    /** Claims up to a batch of due rows, oldest first; nothing once clockrelay is shutting down. */
    public List<InboxEvent> claim() throws SQLException {
        if (stopping.getAsBoolean()) {
            return List.of();
        }
        Instant now = Instant.now(clock);
        List<InboxEvent> claimed = Leases.claim(store, "inbox", "c.source, c.event_id, c.event_type, c.received_at, c.payload, c.attempts", "1 = 1",
                batchSize, now, now.plus(lease),
                (row, token) -> new InboxEvent(row.getLong(1), row.getString(2), row.getString(3), row.getString(4),
                        row.getTimestamp(5).toInstant(), row.getString(6), row.getInt(7), token));
        currentClaim = claimed.isEmpty() ? null : claimed.get(0).claimToken();
        return claimed;
    }

    /** At shutdown: the rows of this instance's last claim that are still pending become claimable at once. */
    public void releaseClaim() throws SQLException {
        Leases.release(store, "inbox", currentClaim);
    }

    /** Releases a row that failed to process, to be tried again after an exponential back-off; nothing is dropped. */
    public void retryLater(InboxEvent event, Exception failure) throws SQLException {
        int attempts = event.attempts() + 1;
        Duration delay = Duration.ofSeconds(1L << Math.min(attempts, 12));
        if (delay.compareTo(MAX_RETRY_DELAY) > 0) {
            delay = MAX_RETRY_DELAY;
        }
        if (failure instanceof RetryAfter hint && hint.retryAfter() != null && hint.retryAfter().compareTo(delay) > 0) {
            delay = hint.retryAfter();
        }
        LOG.warn("webhook not processed source={} eventId={} attempt={} retryIn={}s: {}",
                event.source(), event.eventId(), attempts, delay.toSeconds(), failure.getMessage());
        try (Connection connection = store.getConnection();
             PreparedStatement update = connection.prepareStatement(
                     "UPDATE inbox SET attempts = ?, next_attempt_at = ?, last_error = ?, claim_token = NULL, lease_until = NULL"
                             + " WHERE id = ? AND claim_token = ?")) {
            update.setInt(1, attempts);
            update.setTimestamp(2, Timestamp.from(Instant.now(clock).plus(delay)));
            update.setString(3, ErrorText.of(failure.getMessage()));
            update.setLong(4, event.id());
            update.setString(5, event.claimToken());
            update.executeUpdate();
        }
    }
}
