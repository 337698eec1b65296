package io.clockrelay.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Keeps the store from growing for ever, by one instance at a time ({@link Jobs}): delivered deliveries and the
 * payloads of processed webhooks older than the retention are deleted; the processed webhooks' rows stay, without
 * their payloads (status 'expired'), as de-duplication keys until the de-duplication period is over. In batches of
 * a few hundred rows, each its own short transaction, so that the request path never waits long behind it, and with
 * a pause after each that keeps the pass to a share of the store's time (a first pass over a large backlog otherwise
 * deletes back to back and cost the request path a third of its throughput while it ran). Dead
 * letters and failed webhooks stay until an operator acts; payroll tables are not clockrelay's to touch.
 */
public class Retention {

    private static final Logger LOG = LoggerFactory.getLogger(Retention.class);
    static final String JOB = "retention";
    private static final String[][] STEPS = {
            {"deliveries", "DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries WHERE status = 'delivered' AND delivered_at < ?"
                    + " ORDER BY id LIMIT ?)"},
            {"payloads", "UPDATE inbox SET status = 'expired', payload = NULL WHERE id IN (SELECT id FROM inbox WHERE status = 'done'"
                    + " AND processed_at < ? ORDER BY id LIMIT ?)"},
            {"deduplication keys", "DELETE FROM inbox WHERE id IN (SELECT id FROM inbox WHERE status = 'expired' AND received_at < ?"
                    + " ORDER BY id LIMIT ?)"}};

    private final DataSource store;
    private final Clock clock;
    private final Jobs jobs;
    private final Duration retention;
    private final Duration deduplication;
    private final Duration interval;
    private final int batchSize;
    private final double busyShare;
    private final java.util.function.BooleanSupplier stopping;

    /** {@code busyShare}: the share of its time the pass keeps a store connection busy (1: no pause between batches). */
    public Retention(DataSource store, Clock clock, Jobs jobs, Duration retention, Duration deduplication, Duration interval, int batchSize,
                     double busyShare, java.util.function.BooleanSupplier stopping) {
        this.store = store;
        this.clock = clock;
        this.jobs = jobs;
        this.retention = retention;
        this.deduplication = deduplication.compareTo(retention) > 0 ? deduplication : retention;
        this.interval = interval;
        this.batchSize = batchSize;
        if (!(busyShare > 0 && busyShare <= 1)) {
            throw new IllegalArgumentException("the retention's busy share is " + busyShare + ": use a number above 0 and at most 1, e.g. 0.2");
        }
        this.busyShare = busyShare;
        this.stopping = stopping;
    }

    /** One pass, if no other instance is running one and the last finished an interval ago. */
    public void run() throws Exception {
        jobs.runAlone(JOB, interval.dividedBy(2), Duration.ofMinutes(5), lease -> {
            Instant now = Instant.now(clock);
            long[] removed = new long[STEPS.length];
            Instant[] cutoffs = {now.minus(retention), now.minus(retention), now.minus(deduplication)};
            for (int step = 0; step < STEPS.length; step++) {
                int done;
                do {
                    long began = System.nanoTime();
                    done = batch(STEPS[step][1], cutoffs[step]);
                    removed[step] += done;
                    lease.renew();
                    if (done == batchSize) {
                        pauseAfter(System.nanoTime() - began);
                    }
                    // A stop ends the pass between batches (each its own transaction): the next pass goes on from there.
                } while (done == batchSize && !stopping.getAsBoolean());
            }
            if (removed[0] + removed[1] + removed[2] > 0) {
                LOG.info("retention: {} delivered deliveries and {} payloads older than {} days removed, {} de-duplication keys older than {} days",
                        removed[0], removed[1], retention.toDays(), removed[2], deduplication.toDays());
            }
        });
    }

    /** Rests in proportion to the batch's own time, so that a busy store (slower batches) gets longer rests; at most 2 s. */
    private void pauseAfter(long batchNanos) throws InterruptedException {
        long pauseNanos = Math.min((long) (batchNanos * (1 - busyShare) / busyShare), Duration.ofSeconds(2).toNanos());
        if (pauseNanos > 0) {
            Thread.sleep(pauseNanos / 1_000_000, (int) (pauseNanos % 1_000_000));
        }
    }

    private int batch(String sql, Instant cutoff) throws Exception {
        try (Connection connection = store.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setTimestamp(1, Timestamp.from(cutoff));
            statement.setInt(2, batchSize);
            return statement.executeUpdate();
        }
    }
}
