package io.clockrelay.inbox;

import com.zaxxer.hikari.HikariDataSource;
import io.clockrelay.store.Databases;
import io.clockrelay.store.LeaseKeeper;
import io.clockrelay.store.Leases;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The inbox claim on the store's two databases, as the process stage makes it: an employee's many waiting webhooks,
 * held back by an earlier one a dead instance still holds, keep no other employee's webhook from being claimed; and
 * on PostgreSQL the claim's walk keeps one plan, the index of pending ids read in order, when the statistics are as
 * stale as after a burst (they count nothing pending while thousands are).
 */
class InboxClaimTest {

    @TempDir
    static Path folder;
    static EmbeddedPostgres postgres;
    static HikariDataSource postgresStore;
    static HikariDataSource h2Store;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        postgresStore = Databases.pool("store", "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres", "postgres", "", 4);
        Databases.migrateStore(postgresStore);
        h2Store = Databases.pool("store", "jdbc:h2:file:" + folder.resolve("store").toAbsolutePath() + ";WRITE_DELAY=0", "sa", "", 4);
        Databases.migrateStore(h2Store);
    }

    @AfterAll
    static void stop() throws Exception {
        postgresStore.close();
        h2Store.close();
        postgres.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void anEmployeesHeldBackWebhooksDoNotKeepAnotherEmployeesWebhookWaiting(String database) throws SQLException {
        DataSource store = emptyStore(database);
        // usr_held's first webhook is claimed by an instance that died; its lease runs for another hour.
        insert(store, "usr_held", 1, 1);
        try (Connection connection = store.getConnection(); Statement lease = connection.createStatement()) {
            lease.executeUpdate("UPDATE inbox SET claim_token = 'dead/1', lease_until = " + inAnHour(database) + " WHERE event_id = 'usr_held_1'");
        }
        // Then five batches' worth of usr_held's later webhooks, and one of usr_free.
        insert(store, "usr_held", 2, 500);
        insert(store, "usr_free", 1, 1);

        Inbox inbox = inbox(store);
        List<InboxEvent> claimed = inbox.claim();

        assertThat(claimed).extracting(InboxEvent::eventId).containsExactly("usr_free_1");
        try (Connection connection = store.getConnection(); Statement count = connection.createStatement();
             ResultSet held = count.executeQuery("SELECT COUNT(*) FROM inbox WHERE ordering_key = 'clockeye:user:usr_held' AND claim_token IS NULL")) {
            held.next();
            assertThat(held.getInt(1)).as("usr_held's later webhooks, none claimed ahead of the first").isEqualTo(499);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aWebhookWhoseEarlierOneAnotherClaimIsLockingAtThatMomentWaitsForIt(String database) throws SQLException {
        DataSource store = emptyStore(database);
        insert(store, "usr_race", 1, 3);
        insert(store, "usr_calm", 1, 1);
        try (Connection other = store.getConnection()) {
            // Another instance in the middle of its claim: usr_race's first webhook is locked, not yet leased.
            other.setAutoCommit(false);
            try (Statement lock = other.createStatement();
                 ResultSet locked = lock.executeQuery("SELECT id FROM inbox WHERE event_id = 'usr_race_1' FOR UPDATE")) {
                assertThat(locked.next()).isTrue();
            }

            assertThat(inbox(store).claim()).extracting(InboxEvent::eventId).containsExactly("usr_calm_1");
            other.rollback();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aClaimTakesEachEmployeesNextWebhooksInOrderAndThenTheNextClaimTheRest(String database) throws SQLException {
        DataSource store = emptyStore(database);
        for (int i = 1; i <= 150; i++) {
            insert(store, "usr_" + (i % 3), i, i);
        }
        Inbox inbox = inbox(store);

        List<InboxEvent> first = inbox.claim();
        List<InboxEvent> second = inbox.claim();

        assertThat(first).hasSize(100);
        assertThat(first).extracting(InboxEvent::id).isSorted();
        assertThat(second).as("held back by the first claim, which is still open").isEmpty();
        try (Connection connection = store.getConnection()) {
            inbox.markProcessed(connection, first);
        }
        assertThat(inbox.claim()).extracting(InboxEvent::eventId).hasSize(50).allMatch(id -> Integer.parseInt(id.substring(id.lastIndexOf('_') + 1)) > 100);
    }

    @Test
    void onPostgresqlTheWalkReadsTheIndexOfPendingIdsInOrderWhenTheStatisticsAreStale() throws SQLException {
        emptyStore("postgresql");
        try (Connection connection = postgresStore.getConnection(); Statement fill = connection.createStatement()) {
            fill.execute("INSERT INTO inbox (source, event_id, event_type, received_at, payload, status, attempts, next_attempt_at, processed_at,"
                    + " ordering_key, record_key) SELECT 'clockeye', 'done_' || g, 'time_entry.created', now(), '{}', 'done', 0, now(), now(),"
                    + " 'clockeye:user:usr_' || (g % 48), 'clockeye:time_entry:done_' || g FROM generate_series(1, 20000) g");
            fill.execute("ANALYZE inbox");
            // A burst after the statistics were taken: they still say nothing is pending.
            fill.execute("INSERT INTO inbox (source, event_id, event_type, received_at, payload, status, attempts, next_attempt_at,"
                    + " ordering_key, record_key) SELECT 'clockeye', 'burst_' || g, 'time_entry.created', now(), '{}', 'pending', 0, now(),"
                    + " 'clockeye:user:usr_' || (g % 48), 'clockeye:time_entry:burst_' || g FROM generate_series(1, 10000) g");
        }
        for (String mode : List.of("force_custom_plan", "force_generic_plan")) {
            String plan = plan(mode);
            assertThat(plan).as(mode + ":\n" + plan).contains("Index Scan using inbox_open on inbox").doesNotContain("Sort");
        }
    }

    private static String plan(String mode) throws SQLException {
        try (Connection connection = postgresStore.getConnection()) {
            try (Statement set = connection.createStatement()) {
                set.execute("SET plan_cache_mode = " + mode);
            }
            StringBuilder plan = new StringBuilder();
            try (PreparedStatement explain = connection.prepareStatement("EXPLAIN "
                    + Leases.walkStatement("inbox", Inbox.ORDER, "c.source NOT IN (?)"))) {
                explain.setString(1, "clockodo");
                explain.setLong(2, Long.MIN_VALUE);
                explain.setInt(3, 200);
                try (ResultSet lines = explain.executeQuery()) {
                    while (lines.next()) {
                        plan.append(lines.getString(1)).append('\n');
                    }
                }
            } finally {
                try (Statement reset = connection.createStatement()) {
                    reset.execute("RESET plan_cache_mode");
                }
            }
            return plan.toString();
        }
    }

    private static Inbox inbox(DataSource store) {
        LeaseKeeper leases = new LeaseKeeper(store, Clock.systemUTC(), Duration.ofMinutes(10), "test");
        return new Inbox(store, Clock.systemUTC(), 100, leases, () -> false, Set.of("clockodo"), true, false);
    }

    private static String inAnHour(String database) {
        return database.equals("h2") ? "DATEADD('HOUR', 1, CURRENT_TIMESTAMP)" : "now() + interval '1 hour'";
    }

    /** The store of {@code database} (h2, postgresql), its inbox emptied. */
    private static DataSource emptyStore(String database) throws SQLException {
        DataSource store = database.equals("h2") ? h2Store : postgresStore;
        try (Connection connection = store.getConnection(); Statement delete = connection.createStatement()) {
            delete.executeUpdate("DELETE FROM inbox");
        }
        return store;
    }

    /** Webhooks {@code from}..{@code to} of a user, due now, as the receive route stores them. */
    private static void insert(DataSource store, String user, int from, int to) throws SQLException {
        try (Connection connection = store.getConnection();
             PreparedStatement insert = connection.prepareStatement("INSERT INTO inbox (source, event_id, event_type, received_at, payload,"
                     + " status, attempts, next_attempt_at, ordering_key, record_key) VALUES ('clockeye', ?, 'time_entry.created', ?, '{}',"
                     + " 'pending', 0, ?, ?, ?)")) {
            Timestamp now = Timestamp.from(Instant.now());
            for (int i = from; i <= to; i++) {
                insert.setString(1, user + "_" + i);
                insert.setTimestamp(2, now);
                insert.setTimestamp(3, now);
                insert.setString(4, "clockeye:user:" + user);
                insert.setString(5, "clockeye:time_entry:" + user + "_" + i);
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }
}
