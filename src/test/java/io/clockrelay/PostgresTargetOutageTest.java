package io.clockrelay;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A PostgreSQL payroll database that is stopped while webhooks keep coming, then started again: every record
 * arrives afterwards, once, and each user's records in the order they happened.
 */
class PostgresTargetOutageTest {

    @TempDir
    Path folder;
    private EmbeddedPostgres postgres;
    private RunningClockrelay app;

    @Test
    void whenThePayrollDatabaseIsBackEveryRecordArrivesOnceInEachUsersOrder() throws IOException {
        int port = RunningClockrelay.freePort();
        Path data = Files.createDirectories(folder.resolve("pgdata"));
        postgres = startPostgres(port, data);
        String url = "jdbc:postgresql://localhost:" + port + "/postgres";
        RunningClockrelay.query(url, "postgres", "CREATE TABLE receipts (seq BIGSERIAL PRIMARY KEY, event_id VARCHAR(400), user_id VARCHAR(255))");
        Path routes = Files.createDirectories(folder.resolve("routes"));
        Files.writeString(routes.resolve("payroll-pg.camel.yaml"),
                Files.readString(Path.of("src/main/resources/routes/targets/payroll-db.camel.yaml")).replace("payroll-db", "payroll-pg"));
        Files.writeString(routes.resolve("pg-receipts.camel.yaml"), """
                - route:
                    id: target-pg-receipts
                    from:
                      uri: direct:target-pg-receipts
                      steps:
                        - setBody:
                            method:
                              ref: recordColumns
                              method: columns
                        - to:
                            uri: "sql:INSERT INTO receipts (event_id, user_id) VALUES (:#eventId, :#userId)"
                            parameters:
                              dataSource: "#payroll-pg"
                """);
        Map<String, String> settings = new HashMap<>();
        settings.put("clockrelay.routes.dir", routes.toString());
        settings.put("clockrelay.target.payroll-pg.type", "jdbc");
        settings.put("clockrelay.target.payroll-pg.url", url);
        settings.put("clockrelay.target.payroll-pg.user", "postgres");
        settings.put("clockrelay.target.payroll-pg.create-table", "true");
        settings.put("clockrelay.target.payroll-pg.connection-timeout-ms", "500");
        settings.put("clockrelay.target.payroll-pg.retry.initial-delay-ms", "200");
        settings.put("clockrelay.target.payroll-pg.retry.max-delay-ms", "500");
        settings.put("clockrelay.target.pg-receipts.enabled", "true");
        settings.put("clockrelay.target.pg-receipts.retry.initial-delay-ms", "200");
        settings.put("clockrelay.target.pg-receipts.retry.max-delay-ms", "500");
        app = RunningClockrelay.start(folder, settings);

        postgres.close();
        for (int i = 0; i < 4; i++) {
            for (String user : new String[] {"usr_a", "usr_b"}) {
                String body = "{\"id\":\"evt_pgout_" + user + "_" + i + "\",\"type\":\"time_entry.created\",\"created_at\":\"2024-12-01T1" + i + ":00:00Z\","
                        + "\"data\":{\"id\":\"te_pgout_" + user + "_" + i + "\",\"user_id\":\"" + user + "\",\"start_time\":\"2024-12-01T1" + i + ":00:00Z\",\"duration\":900}}";
                assertThat(app.postClockEye(body).body()).isEqualTo("{\"status\":\"accepted\"}");
            }
        }
        app.awaitRow(row -> ((Number) row.get("N")).intValue() >= 2,
                "SELECT COUNT(*) AS n FROM deliveries WHERE target = 'pg-receipts' AND attempts >= 2 AND status = 'pending'");
        assertThat(app.count("SELECT COUNT(*) FROM deliveries WHERE target = 'pg-receipts' AND attempts > 0 AND status = 'pending'"))
                .as("only each user's first record is tried while the database is down").isEqualTo(2);

        postgres = startPostgres(port, data);

        app.awaitRow(row -> ((Number) row.get("N")).intValue() == 16,
                "SELECT COUNT(*) AS n FROM deliveries WHERE event_id LIKE 'evt_pgout_%' AND target IN ('payroll-pg', 'pg-receipts') AND status = 'delivered'");
        for (String user : new String[] {"usr_a", "usr_b"}) {
            List<Object> received = RunningClockrelay.query(url, "postgres", "SELECT event_id FROM receipts WHERE user_id = ? ORDER BY seq", user)
                    .stream().map(row -> row.get("EVENT_ID")).toList();
            assertThat(received).containsExactly("evt_pgout_" + user + "_0", "evt_pgout_" + user + "_1", "evt_pgout_" + user + "_2", "evt_pgout_" + user + "_3");
        }
        assertThat(((Number) RunningClockrelay.query(url, "postgres", "SELECT COUNT(*) AS n FROM payroll_time_records").get(0).get("N")).intValue())
                .isEqualTo(8);
    }

    /**
     * The payroll database is down when clockrelay starts: it starts all the same and acknowledges webhooks, and once
     * the database answers, the payroll table is created and every record arrives.
     */
    @Test
    void aPayrollDatabaseDownAtTheStartStopsNoWebhook() throws IOException {
        int port = RunningClockrelay.freePort();
        String url = "jdbc:postgresql://localhost:" + port + "/postgres";
        Map<String, String> settings = new HashMap<>();
        settings.put("clockrelay.target.payroll-db.url", url);
        settings.put("clockrelay.target.payroll-db.user", "postgres");
        settings.put("clockrelay.target.payroll-db.connection-timeout-ms", "500");
        settings.put("clockrelay.target.payroll-db.retry.initial-delay-ms", "200");
        settings.put("clockrelay.target.payroll-db.retry.max-delay-ms", "500");
        app = RunningClockrelay.start(folder, settings);

        app.awaitHealth(200);
        String body = "{\"id\":\"evt_pgdown_1\",\"type\":\"time_entry.created\",\"created_at\":\"2024-12-02T10:00:00Z\","
                + "\"data\":{\"id\":\"te_pgdown_1\",\"user_id\":\"usr_a\",\"start_time\":\"2024-12-02T09:00:00Z\",\"duration\":900}}";
        assertThat(app.postClockEye(body).body()).isEqualTo("{\"status\":\"accepted\"}");
        app.awaitRow("SELECT * FROM deliveries WHERE event_id = 'evt_pgdown_1' AND target = 'payroll-db' AND attempts >= 1 AND status = 'pending'");

        postgres = startPostgres(port, Files.createDirectories(folder.resolve("pgdata")));

        app.awaitRow("SELECT * FROM deliveries WHERE event_id = 'evt_pgdown_1' AND target = 'payroll-db' AND status = 'delivered'");
        assertThat(RunningClockrelay.query(url, "postgres", "SELECT duration_seconds FROM payroll_time_records WHERE record_id = ?",
                "clockeye:time_entry:te_pgdown_1").get(0)).containsEntry("DURATION_SECONDS", 900L);
    }

    private static EmbeddedPostgres startPostgres(int port, Path data) throws IOException {
        return EmbeddedPostgres.builder().setPort(port).setDataDirectory(data).setCleanDataDirectory(false).start();
    }

    @AfterEach
    void stop() throws IOException {
        if (app != null) {
            app.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }
}
