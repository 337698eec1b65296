package io.clockrelay;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** An integration engineer's own target: a route file and its settings in CLOCKRELAY_ROUTES_DIR, no Java, no rebuild. */
class RoutesFolderTest {

    @TempDir
    Path folder;

    @Test
    void aTargetDeclaredInTheRoutesFolderReceivesOnlyTheRecordsItsFilterWants() throws IOException {
        Path routes = Files.createDirectories(folder.resolve("my-routes"));
        Files.writeString(routes.resolve("timesheet-audit.camel.yaml"), """
                # Target "timesheet-audit": every timesheet record, appended to our own table.
                - route:
                    id: target-timesheet-audit
                    from:
                      uri: direct:target-timesheet-audit
                      steps:
                        - setBody:
                            method:
                              ref: recordColumns
                              method: columns
                        - to:
                            uri: "sql:INSERT INTO timesheet_audit (event_id, user_id, record) VALUES (:#eventId, :#userId, :#record)"
                            parameters:
                              dataSource: "#storeDataSource"
                """);
        Files.writeString(routes.resolve("application.properties"), """
                # The folder's own settings, beside its route files.
                clockrelay.target.timesheet-audit.enabled = true
                clockrelay.target.timesheet-audit.entities = timesheet
                """);
        String storeUrl = "jdbc:h2:file:" + folder.resolve("store").toAbsolutePath() + ";WRITE_DELAY=0";
        RunningClockrelay.query(storeUrl, "sa", "CREATE TABLE timesheet_audit (event_id VARCHAR(400), user_id VARCHAR(255), record VARCHAR)");

        try (RunningClockrelay app = RunningClockrelay.start(folder, Map.of(
                "clockrelay.store.url", storeUrl,
                "clockrelay.routes.dir", routes.toString()))) {
            app.postClockEye(RunningClockrelay.fixture("clockeye", "time_entry.created"));
            app.postClockEye(RunningClockrelay.fixture("clockeye", "timesheet.submitted"));

            Map<String, Object> audited = app.awaitRow("SELECT * FROM timesheet_audit");
            assertThat(audited).containsEntry("EVENT_ID", "evt_tss890abc").containsEntry("USER_ID", "usr_xyz789");
            app.awaitRow("SELECT * FROM payroll_time_records WHERE last_event_id = 'evt_abc123xyz'");
            app.awaitIdle();
            assertThat(app.count("SELECT COUNT(*) FROM timesheet_audit")).as("the time entry is not for this target").isEqualTo(1);
            assertThat(app.count("SELECT COUNT(*) FROM payroll_time_records")).as("payroll-db wants both").isEqualTo(2);
        }
    }

    @Test
    void theJarStartedWithCLOCKRELAY_ROUTES_DIRLoadsTheFoldersRoutes() throws Exception {
        Path routes = Files.createDirectories(folder.resolve("operator-routes"));
        Files.writeString(routes.resolve("from-the-folder.camel.yaml"), """
                - route:
                    id: target-from-the-folder
                    from:
                      uri: direct:target-from-the-folder
                      steps:
                        - log: "${body}"
                """);
        int managementPort = RunningClockrelay.freePort();
        Process process = ClockrelayProcess.launch(folder, "with-folder", Map.of(
                "CLOCKRELAY_ROUTES_DIR", routes.toString(),
                "CLOCKRELAY_PORT", String.valueOf(RunningClockrelay.freePort()),
                "CLOCKRELAY_DB_URL", "jdbc:h2:file:" + folder.resolve("process-store").toAbsolutePath() + ";WRITE_DELAY=0"), managementPort);
        try {
            assertThat(new WebhookClient(managementPort).get("/observe/health?exposureLevel=full").body()).contains("route:target-from-the-folder");
        } finally {
            process.destroyForcibly().waitFor();
        }
    }

    @Test
    void aRoutesFolderThatDoesNotExistStopsTheStartWithTheSettingNamed() {
        Path missing = folder.resolve("no-such-folder");

        assertThatThrownBy(() -> RunningClockrelay.start(folder, Map.of("clockrelay.routes.dir", missing.toString())))
                .rootCause()
                .hasMessageContaining("\n  CLOCKRELAY_ROUTES_DIR is " + missing + ", which is not a folder: create it or unset the variable");
    }

    @Test
    void withCLOCKRELAY_DEVAnEditedRouteFileTakesEffectWithoutARestart() throws IOException {
        Path routes = Files.createDirectories(folder.resolve("dev-routes"));
        Path file = routes.resolve("audit.camel.yaml");
        Files.writeString(file, auditRoute("v1"));
        Files.writeString(routes.resolve("application.properties"), "clockrelay.target.audit.enabled = true\n");
        String storeUrl = "jdbc:h2:file:" + folder.resolve("dev-store").toAbsolutePath() + ";WRITE_DELAY=0";
        RunningClockrelay.query(storeUrl, "sa", "CREATE TABLE audit (event_id VARCHAR(400), version VARCHAR(8))");

        try (RunningClockrelay app = RunningClockrelay.start(folder, Map.of(
                "clockrelay.store.url", storeUrl,
                "clockrelay.routes.dir", routes.toString(),
                "clockrelay.dev", "true"))) {
            app.postClockEye(HttpTargetTest.event("evt_dev_0", "te_dev_0", "usr_dev", "2024-06-01T09:00:00Z"));
            assertThat(app.awaitRow("SELECT * FROM audit WHERE event_id = 'evt_dev_0'")).containsEntry("VERSION", "v1");

            Files.writeString(file, auditRoute("v2"));

            // The reload is noticed by a file watcher: webhooks go on until one is written by the edited route.
            Instant deadline = Instant.now().plus(RunningClockrelay.WAIT);
            String version = "v1";
            for (int i = 1; version.equals("v1") && Instant.now().isBefore(deadline); i++) {
                app.postClockEye(HttpTargetTest.event("evt_dev_" + i, "te_dev_" + i, "usr_dev", "2024-06-01T09:00:00Z"));
                version = (String) app.awaitRow("SELECT * FROM audit WHERE event_id = ?", "evt_dev_" + i).get("VERSION");
            }
            assertThat(version).as("the edited route is in use").isEqualTo("v2");
            assertThat(app.count("SELECT COUNT(*) FROM audit")).as("no webhook lost or doubled meanwhile")
                    .isEqualTo(app.count("SELECT COUNT(*) FROM inbox"));
        }
    }

    private static String auditRoute(String version) {
        return """
                - route:
                    id: target-audit
                    from:
                      uri: direct:target-audit
                      steps:
                        - setBody:
                            method:
                              ref: recordColumns
                              method: columns
                        - to:
                            uri: "sql:INSERT INTO audit (event_id, version) VALUES (:#eventId, '%s')"
                            parameters:
                              dataSource: "#storeDataSource"
                """.formatted(version);
    }
}
