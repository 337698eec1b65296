package io.clockrelay;

import org.h2.tools.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store database behind a network connection (an H2 server this test stops and starts): while it is down,
 * webhooks are answered 503 so that the vendor retries, and readiness is down; once it is back, all is as before.
 */
class StoreOutageTest {

    @TempDir
    Path folder;
    private Server database;
    private RunningClockrelay app;

    @Test
    void whileTheStoreIsDownWebhooksAre503AndReadinessIsDownThenBothRecover() throws SQLException {
        int databasePort = RunningClockrelay.freePort();
        database = startDatabase(databasePort);
        app = RunningClockrelay.start(folder, Map.of(
                "clockrelay.store.url", "jdbc:h2:tcp://localhost:" + databasePort + "/store;WRITE_DELAY=0"));
        assertThat(app.get(app.managementPort, "/observe/health").statusCode()).isEqualTo(200);

        database.stop();

        HttpResponse<String> refused = app.postClockEye(event("evt_outage"));
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.body()).isEqualTo("{\"status\":\"rejected\",\"error\":\"the webhook could not be stored: retry later\"}");
        HttpResponse<String> health = app.get(app.managementPort, "/observe/health");
        assertThat(health.statusCode()).isEqualTo(503);
        assertThat(health.body()).contains("DOWN").contains("store-database");

        database = startDatabase(databasePort);

        app.awaitHealth(200);
        HttpResponse<String> retried = app.postClockEye(event("evt_outage"));
        assertThat(retried.body()).isEqualTo("{\"status\":\"accepted\"}");
        app.awaitRow("SELECT * FROM payroll_time_records WHERE last_event_id = 'evt_outage'");
    }

    private Server startDatabase(int port) throws SQLException {
        return Server.createTcpServer("-tcpPort", String.valueOf(port), "-baseDir", folder.toString(), "-ifNotExists").start();
    }

    @AfterEach
    void stop() {
        if (app != null) {
            app.close();
        }
        if (database != null) {
            database.stop();
        }
    }

    private static String event(String id) {
        return "{\"id\":\"" + id + "\",\"type\":\"time_entry.created\",\"created_at\":\"2024-03-01T10:00:00Z\","
                + "\"data\":{\"id\":\"te_" + id + "\",\"user_id\":\"usr_1\",\"start_time\":\"2024-03-01T09:00:00Z\",\"duration\":600}}";
    }
}
