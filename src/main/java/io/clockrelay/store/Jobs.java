package io.clockrelay.store;

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
import java.util.Optional;
import java.util.UUID;

/**
 * Jobs that one instance at a time runs for all instances sharing the store (retention, reconciliation): a job is
 * run by the instance that takes its lease in clockrelay_jobs, and only when its last run finished at least an
 * interval ago, so that several instances together run it once per interval. A job renews its lease as it goes;
 * an instance that dies leaves the job to another once the lease has expired.
 */
public class Jobs {

    private static final Logger LOG = LoggerFactory.getLogger(Jobs.class);

    /** The work of a job; it calls {@link Lease#renew()} between steps that together may outlast the lease. */
    public interface Work {
        void run(Lease lease) throws Exception;
    }

    /** A job's hold on its row while it runs. */
    public final class Lease {
        private final String name;
        private final Duration length;

        private Lease(String name, Duration length) {
            this.name = name;
            this.length = length;
        }

        /** Extends the lease; throws when another instance has taken the job over (this one was too slow). */
        public void renew() throws SQLException {
            Instant now = Instant.now(clock);
            try (Connection connection = store.getConnection();
                 PreparedStatement renew = connection.prepareStatement(
                         "UPDATE clockrelay_jobs SET lease_until = ? WHERE name = ? AND holder = ?")) {
                renew.setTimestamp(1, Timestamp.from(now.plus(length)));
                renew.setString(2, name);
                renew.setString(3, instance);
                if (renew.executeUpdate() == 0) {
                    throw new IllegalStateException("job " + name + " was taken over by another instance");
                }
            }
        }
    }

    private final DataSource store;
    private final Clock clock;
    private final String instance = UUID.randomUUID().toString();

    public Jobs(DataSource store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /**
     * Runs the job if no instance holds it and its last run finished at least {@code interval} ago (zero: whenever
     * none holds it). Returns false, having run nothing, otherwise. A failing run is recorded and rethrown.
     */
    public boolean runAlone(String name, Duration interval, Duration lease, Work work) throws Exception {
        Instant now = Instant.now(clock);
        if (!take(name, now, interval, lease)) {
            return false;
        }
        String error = null;
        try {
            work.run(new Lease(name, lease));
            return true;
        } catch (Exception e) {
            error = ErrorText.of(e.getClass().getSimpleName() + ": " + e.getMessage());
            throw e;
        } finally {
            finish(name, error);
        }
    }

    /** When the job last ran to its end without an error, on any instance. */
    public Optional<Instant> lastSuccess(String name) throws SQLException {
        try (Connection connection = store.getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT last_success_at FROM clockrelay_jobs WHERE name = ?")) {
            select.setString(1, name);
            try (ResultSet row = select.executeQuery()) {
                return row.next() && row.getTimestamp(1) != null ? Optional.of(row.getTimestamp(1).toInstant()) : Optional.empty();
            }
        }
    }

    private boolean take(String name, Instant now, Duration interval, Duration lease) throws SQLException {
        try (Connection connection = store.getConnection()) {
            try (PreparedStatement create = connection.prepareStatement(
                    "INSERT INTO clockrelay_jobs (name) SELECT ? FROM (VALUES (1)) one WHERE NOT EXISTS (SELECT 1 FROM clockrelay_jobs WHERE name = ?)")) {
                create.setString(1, name);
                create.setString(2, name);
                create.executeUpdate();
            } catch (SQLException racedByAnotherInstance) {
                LOG.debug("job row {} created by another instance meanwhile", name);
            }
            try (PreparedStatement take = connection.prepareStatement("UPDATE clockrelay_jobs SET holder = ?, lease_until = ?, last_started_at = ?"
                    + " WHERE name = ? AND (lease_until IS NULL OR lease_until < ?) AND (last_finished_at IS NULL OR last_finished_at <= ?)")) {
                take.setString(1, instance);
                take.setTimestamp(2, Timestamp.from(now.plus(lease)));
                take.setTimestamp(3, Timestamp.from(now));
                take.setString(4, name);
                take.setTimestamp(5, Timestamp.from(now));
                take.setTimestamp(6, Timestamp.from(now.minus(interval)));
                return take.executeUpdate() == 1;
            }
        }
    }

    private void finish(String name, String error) {
        Instant now = Instant.now(clock);
        try (Connection connection = store.getConnection();
             PreparedStatement finish = connection.prepareStatement("UPDATE clockrelay_jobs SET holder = NULL, lease_until = NULL,"
                     + " last_finished_at = ?, last_error = ?, last_success_at = CASE WHEN ? THEN ? ELSE last_success_at END"
                     + " WHERE name = ? AND holder = ?")) {
            finish.setTimestamp(1, Timestamp.from(now));
            finish.setString(2, error);
            finish.setBoolean(3, error == null);
            finish.setTimestamp(4, Timestamp.from(now));
            finish.setString(5, name);
            finish.setString(6, instance);
            finish.executeUpdate();
        } catch (SQLException e) {
            LOG.warn("job {} finished but its row was not updated (its lease expires instead): {}", name, e.getMessage());
        }
    }
}
