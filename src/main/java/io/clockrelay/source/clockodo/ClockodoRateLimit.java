package io.clockrelay.source.clockodo;

import io.clockrelay.store.Transactions;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.Handler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;

/**
 * Clockodo's four limits per API user (900 calls a minute, 2,250 in 15 minutes, 4,500 an hour, 20,000 a day), kept
 * by every instance on the store together: each call takes a permit in one transaction that locks the account's row,
 * counts the calls of each window and records its own. A caller that may use only a share of the limits (the
 * reconciliation, so that it never starves the enrichment of notifications) says so in the exchange variable
 * {@code clockodoShare}. Without a permit the calling thread waits (only enrichment threads call Clockodo) while the
 * short windows free up; when an hour's or a day's calls are used up, the notification waits in the inbox instead.
 */
public class ClockodoRateLimit implements CamelContextAware {

    public static final String SHARE = "clockodoShare";
    private static final Logger LOG = LoggerFactory.getLogger(ClockodoRateLimit.class);
    private static final Duration LONGEST_WAIT = Duration.ofSeconds(30);
    private static final Duration[] WINDOWS = {Duration.ofMinutes(1), Duration.ofMinutes(15), Duration.ofHours(1), Duration.ofDays(1)};

    private CamelContext camelContext;
    private DataSource store;
    private String account = "clockodo";
    private final int[] limits = {900, 2_250, 4_500, 20_000};
    private volatile Instant nextCleanup = Instant.EPOCH;

    public ClockodoRateLimit() {
    }

    /** A limit on this store (as each instance sharing it has). */
    ClockodoRateLimit(DataSource store) {
        this.store = store;
    }

    /** The API user the limits count for (only a digest of it is stored). */
    public void setApiUser(String apiUser) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(String.valueOf(apiUser).trim().getBytes(StandardCharsets.UTF_8));
            this.account = "clockodo:" + HexFormat.of().formatHex(digest, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }

    public void setPerMinute(int limit) {
        limits[0] = limit;
    }

    public void setPer15Minutes(int limit) {
        limits[1] = limit;
    }

    public void setPerHour(int limit) {
        limits[2] = limit;
    }

    public void setPerDay(int limit) {
        limits[3] = limit;
    }

    /** The route step before each call: returns once a permit is taken, or throws {@link ClockodoUnavailable}. */
    @Handler
    public void acquire(Exchange exchange) throws SQLException, InterruptedException {
        double share = exchange.getVariable(SHARE, 1.0, Double.class);
        Instant giveUp = Instant.now().plus(LONGEST_WAIT);
        while (true) {
            Duration wait = take(Instant.now(), share);
            if (wait == null) {
                return;
            }
            if (wait.compareTo(Duration.ofMinutes(1)) > 0 || Instant.now().plus(wait).isAfter(giveUp)) {
                throw new ClockodoUnavailable("Clockodo's API limits are used up for now (all instances together): the notification waits "
                        + wait.toSeconds() + " s", wait);
            }
            Thread.sleep(Math.max(50, Math.min(wait.toMillis(), 1_000)));
        }
    }

    /** Takes a permit (null) or says how long until one may be free. */
    Duration take(Instant now, double share) throws SQLException {
        Duration[] wait = new Duration[1];
        Transactions.run(store(), connection -> {
            lockAccount(connection);
            Instant hourStart = now.truncatedTo(ChronoUnit.HOURS);
            long[] counts = new long[4];
            Timestamp[] oldest = new Timestamp[3];
            try (PreparedStatement recent = connection.prepareStatement("SELECT"
                    + " SUM(CASE WHEN called_at > ? THEN 1 ELSE 0 END), MIN(CASE WHEN called_at > ? THEN called_at END),"
                    + " SUM(CASE WHEN called_at > ? THEN 1 ELSE 0 END), MIN(CASE WHEN called_at > ? THEN called_at END),"
                    + " COUNT(*), MIN(called_at) FROM api_calls WHERE account = ? AND called_at > ?")) {
                Timestamp minute = Timestamp.from(now.minus(WINDOWS[0]));
                Timestamp quarter = Timestamp.from(now.minus(WINDOWS[1]));
                recent.setTimestamp(1, minute);
                recent.setTimestamp(2, minute);
                recent.setTimestamp(3, quarter);
                recent.setTimestamp(4, quarter);
                recent.setString(5, account);
                recent.setTimestamp(6, Timestamp.from(now.minus(WINDOWS[2])));
                try (ResultSet row = recent.executeQuery()) {
                    row.next();
                    counts[0] = row.getLong(1);
                    oldest[0] = row.getTimestamp(2);
                    counts[1] = row.getLong(3);
                    oldest[1] = row.getTimestamp(4);
                    counts[2] = row.getLong(5);
                    oldest[2] = row.getTimestamp(6);
                }
            }
            Timestamp firstHour;
            try (PreparedStatement day = connection.prepareStatement(
                    "SELECT COALESCE(SUM(calls), 0), MIN(hour_start) FROM api_call_hours WHERE account = ? AND hour_start >= ?")) {
                day.setString(1, account);
                day.setTimestamp(2, Timestamp.from(hourStart.minus(WINDOWS[3])));
                try (ResultSet row = day.executeQuery()) {
                    row.next();
                    counts[3] = row.getLong(1);
                    firstHour = row.getTimestamp(2);
                }
            }
            for (int window = 0; window < WINDOWS.length; window++) {
                if (counts[window] >= Math.floor(limits[window] * share)) {
                    // When the oldest call of the window leaves it; the day counts whole hours (the oldest hour's leaves it
                    // a day after that hour ended).
                    Instant frees = window < 3 ? (oldest[window] != null ? oldest[window].toInstant().plus(WINDOWS[window]) : now)
                            : (firstHour != null ? firstHour.toInstant().plus(WINDOWS[3]).plus(Duration.ofHours(1)) : now);
                    Duration until = Duration.between(now, frees);
                    wait[0] = wait[0] == null || until.compareTo(wait[0]) > 0 ? until : wait[0];
                }
            }
            if (wait[0] == null) {
                record(connection, now, hourStart);
            }
        });
        if (now.isAfter(nextCleanup)) {
            nextCleanup = now.plus(Duration.ofMinutes(5));
            cleanUp(now);
        }
        return wait[0] == null ? null : wait[0].isNegative() ? Duration.ofMillis(50) : wait[0];
    }

    private void lockAccount(Connection connection) throws SQLException {
        for (int attempt = 0; attempt < 2; attempt++) {
            try (PreparedStatement lock = connection.prepareStatement("SELECT account FROM api_accounts WHERE account = ? FOR UPDATE")) {
                lock.setString(1, account);
                try (ResultSet row = lock.executeQuery()) {
                    if (row.next()) {
                        return;
                    }
                }
            }
            // The first call of this account: its row, created by whichever instance is first (in its own transaction).
            try (Connection other = store().getConnection(); PreparedStatement create = other.prepareStatement(
                    "INSERT INTO api_accounts (account) SELECT ? FROM (VALUES (1)) one WHERE NOT EXISTS (SELECT 1 FROM api_accounts WHERE account = ?)")) {
                create.setString(1, account);
                create.setString(2, account);
                create.executeUpdate();
            } catch (SQLException createdMeanwhile) {
                LOG.debug("rate-limit account row created by another instance meanwhile");
            }
        }
        throw new SQLException("the rate-limit row of the Clockodo account could not be locked");
    }

    private void record(Connection connection, Instant now, Instant hourStart) throws SQLException {
        try (PreparedStatement call = connection.prepareStatement("INSERT INTO api_calls (account, called_at) VALUES (?, ?)");
             PreparedStatement hour = connection.prepareStatement("UPDATE api_call_hours SET calls = calls + 1 WHERE account = ? AND hour_start = ?")) {
            call.setString(1, account);
            call.setTimestamp(2, Timestamp.from(now));
            call.executeUpdate();
            hour.setString(1, account);
            hour.setTimestamp(2, Timestamp.from(hourStart));
            if (hour.executeUpdate() == 0) {
                try (PreparedStatement first = connection.prepareStatement(
                        "INSERT INTO api_call_hours (account, hour_start, calls) VALUES (?, ?, 1)")) {
                    first.setString(1, account);
                    first.setTimestamp(2, Timestamp.from(hourStart));
                    first.executeUpdate();
                }
            }
        }
    }

    /** Calls older than the hour, and hours older than the day, are no longer counted. */
    private void cleanUp(Instant now) {
        try (Connection connection = store().getConnection();
             PreparedStatement calls = connection.prepareStatement("DELETE FROM api_calls WHERE account = ? AND called_at < ?");
             PreparedStatement hours = connection.prepareStatement("DELETE FROM api_call_hours WHERE account = ? AND hour_start < ?")) {
            calls.setString(1, account);
            calls.setTimestamp(2, Timestamp.from(now.minus(Duration.ofMinutes(61))));
            calls.executeUpdate();
            hours.setString(1, account);
            hours.setTimestamp(2, Timestamp.from(now.minus(Duration.ofHours(26))));
            hours.executeUpdate();
        } catch (SQLException e) {
            LOG.debug("old API call counts not removed now: {}", e.getMessage());
        }
    }

    /** Looked up at the first call: route files' beans are made before the configuration binds the store. */
    private DataSource store() {
        if (store == null) {
            store = camelContext.getRegistry().lookupByNameAndType("storeDataSource", DataSource.class);
        }
        return store;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }
}
