package io.clockrelay.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;

import javax.sql.DataSource;

/** Connection pools and schema migrations for clockrelay's store and its JDBC targets. */
public final class Databases {

    private Databases() {
    }

    public static HikariDataSource pool(String name, String url, String user, String password, int size) {
        return pool(name, url, user, password, size, 5_000);
    }

    /** A pool that waits at most {@code connectionTimeoutMs} for a connection (an attempt against a database that is down). */
    public static HikariDataSource pool(String name, String url, String user, String password, int size, long connectionTimeoutMs) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(name);
        config.setJdbcUrl(withoutCloseOnExit(url));
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(connectionTimeoutMs);
        config.setExceptionOverrideClassName(BrokenConnections.class.getName());
        return new HikariDataSource(config);
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

    /** clockrelay's own tables (db/migration); the database may already hold tables of others. */
    public static void migrateStore(DataSource store) {
        Flyway.configure().dataSource(store).locations("classpath:db/migration")
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .load().migrate();
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
