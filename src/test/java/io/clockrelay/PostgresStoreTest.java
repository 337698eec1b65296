package io.clockrelay;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store and the default payroll target on PostgreSQL (embedded PostgreSQL 17): the Flyway migrations, the
 * de-duplication key (a Connecteam body known by its digest: A, B, then A again) and the PostgreSQL upsert of
 * payroll-db.camel.yaml.
 */
class PostgresStoreTest {

    @TempDir
    static Path folder;
    static EmbeddedPostgres postgres;
    static RunningClockrelay app;

    @BeforeAll
    static void start() throws IOException {
        postgres = EmbeddedPostgres.builder().start();
        app = RunningClockrelay.start(folder, Map.of(
                "clockrelay.store.url", "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres",
                "clockrelay.store.user", "postgres",
                "clockrelay.connecteam.secrets", ConnecteamEventsToPayrollTest.SECRET));
    }

    @AfterAll
    static void stop() throws IOException {
        app.close();
        postgres.close();
    }

    @Test
    void aTimeEntryIsCreatedUpdatedAndDeletedInThePostgresPayrollTable() {
        assertThat(app.postClockEye(RunningClockrelay.fixture("clockeye", "time_entry.created")).body()).isEqualTo("{\"status\":\"accepted\"}");
        Map<String, Object> created = awaitRecord("evt_abc123xyz");
        assertThat(created).containsEntry("USER_ID", "usr_xyz789").containsEntry("DURATION_SECONDS", 3600L);
        assertThat(RunningClockrelay.instant(created.get("ENDS_AT"))).isEqualTo("2024-01-15T10:00:00Z");
        assertThat(created.get("RECORD").toString()).as("stored as JSONB").contains("\"project_id\": \"prj_abc123\"");

        app.postClockEye(RunningClockrelay.fixture("clockeye", "time_entry.updated"));
        Map<String, Object> updated = awaitRecord("evt_upd234abc");
        assertThat(updated).containsEntry("USER_ID", "usr_xyz789").containsEntry("DURATION_SECONDS", 5400L);

        app.postClockEye(RunningClockrelay.fixture("clockeye", "time_entry.deleted"));
        Map<String, Object> deleted = awaitRecord("evt_del345bcd");
        assertThat(deleted).containsEntry("DELETED", true).containsEntry("DURATION_SECONDS", 5400L);
        assertThat(RunningClockrelay.instant(deleted.get("STARTS_AT"))).isEqualTo("2024-01-15T09:00:00Z");

        app.postClockEye(RunningClockrelay.fixture("clockeye", "time_entry.created"));
        app.awaitIdle();
        assertThat(app.rows("SELECT * FROM payroll_time_records WHERE record_id = 'clockeye:time_entry:te_def456'").get(0))
                .as("a repeated creation is a duplicate, and could not undo the newer deletion anyway")
                .containsEntry("LAST_EVENT_ID", "evt_del345bcd").containsEntry("DELETED", true);
        assertThat(app.count("SELECT COUNT(*) FROM inbox WHERE event_id = 'evt_abc123xyz'")).isEqualTo(1);
    }

    @Test
    void aConnecteamBodyKnownByItsDigestIsADuplicateOnlyWhenItRepeatsTheLatestOne() throws Exception {
        ConnecteamEventsToPayrollTest.editedToBAndBackToA(app);
    }

    @Test
    void anOlderChangeOnlyFillsWhatTheNewerOneDidNotKnow() {
        app.postClockEye("""
                {"id":"evt_pg_late_2","type":"time_entry.updated","created_at":"2024-05-01T12:00:00Z",
                 "data":{"id":"te_pg_late","changes":{"duration":7200},"updated_at":"2024-05-01T12:00:00Z"}}""");
        awaitRecord("evt_pg_late_2");
        app.postClockEye("""
                {"id":"evt_pg_late_1","type":"time_entry.created","created_at":"2024-05-01T10:00:00Z",
                 "data":{"id":"te_pg_late","user_id":"usr_pg","start_time":"2024-05-01T09:00:00Z","duration":3600}}""");

        Map<String, Object> row = app.awaitRow(r -> "usr_pg".equals(r.get("USER_ID")),
                "SELECT * FROM payroll_time_records WHERE record_id = 'clockeye:time_entry:te_pg_late'");
        assertThat(row).containsEntry("DURATION_SECONDS", 7200L).containsEntry("LAST_EVENT_ID", "evt_pg_late_2");
    }

    @Test
    void theSameEventSentManyTimesAtOnceIsAcceptedOnce() throws Exception {
        RunningClockrelay.sameEventAtOnceIsAcceptedOnce(app, "evt_burst_pg");
    }

    private static Map<String, Object> awaitRecord(String lastEventId) {
        return app.awaitRow(row -> lastEventId.equals(row.get("LAST_EVENT_ID")),
                "SELECT * FROM payroll_time_records WHERE last_event_id = ?", lastEventId);
    }
}
