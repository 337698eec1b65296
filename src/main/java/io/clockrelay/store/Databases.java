package io.clockrelay.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** Connection pools and schema migrations for clockrelay's store and its JDBC targets. */
public final class Databases {

    private static final Logger LOG = LoggerFactory.getLogger(Databases.class);

    private Databases() {
    }

    public static HikariDataSource pool(String name, String url, String user, String password, int size) {
        return pool(name, url, user, password, size, 5_000);
    }

    /** A pool that waits at most {@code connectionTimeoutMs} for a connection (an attempt against a database that is down). */
    public static HikariDataSource pool(String name, String url, String user, String password, int size, long connectionTimeoutMs) {
        return new HikariDataSource(config(name, url, user, password, size, connectionTimeoutMs));
    }

    /**
     * A target's pool: made whether or not its database answers now. A payroll database down at the start stops no
     * webhook; its records wait in the outbox until it answers.
     */
    public static HikariDataSource targetPool(String name, String url, String user, String password, int size, long connectionTimeoutMs) {
        HikariConfig config = config(name, url, user, password, size, connectionTimeoutMs);
        config.setInitializationFailTimeout(-1);
        return new HikariDataSource(config);
    }

    private static HikariConfig config(String name, String url, String user, String password, int size, long connectionTimeoutMs) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(name);
        config.setJdbcUrl(withoutCloseOnExit(url));
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(connectionTimeoutMs);
        config.setExceptionOverrideClassName(BrokenConnections.class.getName());
        return config;
    }

    /**
     * H2 closes an embedded database from its own JVM shutdown hook, while a graceful shutdown is still writing the
     * outcomes of the deliveries in flight; clockrelay closes its pools itself when its routes have stopped.
     * (H2 refuses the setting together with AUTO_SERVER=TRUE: such a URL is left as it is.)
     */
    static String withoutCloseOnExit(String url) {
        String upper = url.toUpperCase(java.util.Locale.ROOT);
        if (!url.startsWith("jdbc:h2:") || upper.contains("DB_CLOSE_ON_EXIT") || upper.contains("AUTO_SERVER=TRUE")) {
            return url;
        }
        return url + ";DB_CLOSE_ON_EXIT=FALSE";
    }

    /** The dialect of a JDBC URL, as the target route files and db/payroll folders name it. */
    public static String dialect(String url) {
        if (url.startsWith("jdbc:postgresql:")) {
            return "postgresql";
        }
        if (url.startsWith("jdbc:mariadb:") || url.startsWith("jdbc:mysql:")) {
            return "mariadb";
        }
        if (url.startsWith("jdbc:h2:")) {
            return "h2";
        }
        throw new IllegalArgumentException("unsupported JDBC URL '" + url.split("[;?]", 2)[0]
                + "': use a jdbc:postgresql:, jdbc:mariadb: or jdbc:h2: URL");
    }

    /**
     * clockrelay's own tables (db/migration, and what only one database gets in db/store/&lt;database&gt;); the database
     * may already hold tables of others.
     */
    public static void migrateStore(DataSource store) {
        Flyway.configure().dataSource(store).locations("classpath:db/migration", "classpath:db/store/" + storeDialect(store))
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .load().migrate();
    }

    private static String storeDialect(DataSource store) {
        try (java.sql.Connection connection = store.getConnection()) {
            return dialect(connection.getMetaData().getURL());
        } catch (SQLException e) {
            throw new IllegalStateException("the store cannot be reached: " + e.getMessage(), e);
        }
    }

    /**
     * The shipped payroll table of a target, migrated now, or, while the target's database cannot be reached, every
     * {@code retryEverySeconds} on {@code retries} until it is (the target's deliveries fail and wait meanwhile, as in
     * any outage of it). Any other failure (credentials, a migration the database refuses) stops the start.
     */
    public static void migratePayrollWhenReachable(String target, DataSource dataSource, String dialect,
                                                   ScheduledExecutorService retries, long retryEverySeconds) {
        try {
            migratePayroll(dataSource, dialect);
            return;
        } catch (RuntimeException e) {
            if (!unreachable(e)) {
                throw e;
            }
            LOG.warn("target {}: its database cannot be reached ({}): payroll_time_records is created or migrated as soon as it answers;"
                    + " its records wait in the outbox meanwhile", target, rootCause(e));
        }
        AtomicReference<ScheduledFuture<?>> retry = new AtomicReference<>();
        retry.set(retries.scheduleWithFixedDelay(() -> {
            try {
                migratePayroll(dataSource, dialect);
                LOG.info("target {}: its database answers again, payroll_time_records is migrated", target);
                retry.get().cancel(false);
            } catch (RuntimeException e) {
                if (!unreachable(e)) {
                    LOG.error("target {}: payroll_time_records cannot be migrated: {}", target, rootCause(e));
                }
            }
        }, retryEverySeconds, retryEverySeconds, TimeUnit.SECONDS));
    }

    private static String rootCause(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    /** Whether a failure is the database not answering (no connection to be had), rather than one it gave. */
    static boolean unreachable(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLTransientConnectionException || cause instanceof SQLNonTransientConnectionException
                    || cause instanceof SQLException sql && String.valueOf(sql.getSQLState()).startsWith("08")) {
                return true;
            }
        }
        return false;
    }

    /** The shipped payroll table (db/payroll/&lt;dialect&gt;), tracked apart from the store so both can share a database. */
    public static void migratePayroll(DataSource target, String dialect) {
        Flyway.configure().dataSource(target)
                .locations("classpath:db/payroll/" + dialect)
                .table("clockrelay_payroll_history")
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .load().migrate();
    }
}
