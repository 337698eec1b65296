package io.clockrelay;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One stream of webhooks fanned out to four targets, each taking only what its filter wants: the default H2
 * table, a PostgreSQL payroll database (embedded PostgreSQL 17), a MariaDB one (embedded MariaDB 11.4)
 * and an HTTP endpoint (WireMock). The PostgreSQL and MariaDB targets are copies of payroll-db.camel.yaml in a
 * routes folder, as an integration engineer would add them.
 */
class FanOutTest {

    @TempDir
    static Path folder;
    static EmbeddedPostgres postgres;
    static WireMockServer api;
    static String mariaUrl;
    static RunningClockrelay app;

    @BeforeAll
    static void start() throws IOException {
        postgres = EmbeddedPostgres.builder().start();
        api = new WireMockServer(options().dynamicPort());
        api.start();
        api.stubFor(post(urlEqualTo("/timesheets")).willReturn(aResponse().withStatus(200)));
        mariaUrl = EmbeddedMariaDb.newDatabase();

        Path routes = Files.createDirectories(folder.resolve("routes"));
        String shipped = Files.readString(Path.of("src/main/resources/routes/targets/payroll-db.camel.yaml"));
        Files.writeString(routes.resolve("payroll-pg.camel.yaml"), shipped.replace("payroll-db", "payroll-pg"));
        Files.writeString(routes.resolve("payroll-maria.camel.yaml"), shipped.replace("payroll-db", "payroll-maria"));

        Map<String, String> settings = new HashMap<>();
        settings.put("clockrelay.routes.dir", routes.toString());
        settings.put("clockrelay.target.payroll-pg.type", "jdbc");
        settings.put("clockrelay.target.payroll-pg.url", "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres");
        settings.put("clockrelay.target.payroll-pg.user", "postgres");
        settings.put("clockrelay.target.payroll-pg.create-table", "true");
        settings.put("clockrelay.target.payroll-pg.entities", "time_entry");
        settings.put("clockrelay.target.payroll-maria.type", "jdbc");
        settings.put("clockrelay.target.payroll-maria.url", mariaUrl);
        settings.put("clockrelay.target.payroll-maria.user", "root");
        settings.put("clockrelay.target.payroll-maria.create-table", "true");
        settings.put("clockrelay.target.payroll-maria.filter", "${body[recordId]} contains 'maria'");
        settings.put("clockrelay.target.payroll-api.enabled", "true");
        settings.put("clockrelay.target.payroll-api.url", "http://localhost:" + api.port() + "/timesheets");
        settings.put("clockrelay.target.payroll-api.secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        settings.put("clockrelay.target.payroll-api.event-types", "timesheet.submitted,timesheet.approved");
        app = RunningClockrelay.start(folder, settings);
    }

    @AfterAll
    static void stop() throws IOException {
        app.close();
        api.stop();
        postgres.close();
    }

    @Test
    void eachTargetGetsWhatItsFilterWantsAndOnlyThat() {
        app.postClockEye(event("evt_fan_1", "time_entry.created", "te_maria_1", "usr_1", "2024-09-01T08:00:00Z", 3600));
        app.postClockEye(event("evt_fan_2", "time_entry.created", "te_other_2", "usr_2", "2024-09-01T09:00:00Z", 1800));
        app.postClockEye(RunningClockrelay.fixture("clockeye", "timesheet.submitted"));
        app.awaitIdle();

        assertThat(ids(app.storeUrl, "sa")).as("payroll-db: everything")
                .contains("clockeye:time_entry:te_maria_1", "clockeye:time_entry:te_other_2", "clockeye:timesheet:ts_jkl012");
        assertThat(ids("jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres", "postgres")).as("payroll-pg: time entries")
                .contains("clockeye:time_entry:te_maria_1", "clockeye:time_entry:te_other_2")
                .doesNotContain("clockeye:timesheet:ts_jkl012");
        assertThat(ids(mariaUrl, "root")).as("payroll-maria: its filter").contains("clockeye:time_entry:te_maria_1")
                .doesNotContain("clockeye:time_entry:te_other_2", "clockeye:timesheet:ts_jkl012");
        List<ServeEvent> calls = api.getAllServeEvents();
        assertThat(calls).as("payroll-api: timesheets").hasSize(1);
        assertThat(calls.get(0).getRequest().getHeader("webhook-id")).isEqualTo("evt_tss890abc");
    }

    @Test
    void theMariaDbStatementKeepsTheNewestChangeAndWhatAPartialOneDoesNotCarry() {
        app.postClockEye(event("evt_m_2", "time_entry.updated", "te_maria_rules", null, "2024-09-02T12:00:00Z", 7200));
        app.postClockEye(event("evt_m_1", "time_entry.created", "te_maria_rules", "usr_rules", "2024-09-02T08:00:00Z", 3600));
        app.postClockEye("{\"id\":\"evt_m_3\",\"type\":\"time_entry.deleted\",\"created_at\":\"2024-09-02T13:00:00Z\","
                + "\"data\":{\"id\":\"te_maria_rules\",\"deleted_at\":\"2024-09-02T13:00:00Z\"}}");

        Map<String, Object> row = RunningClockrelay.awaitRow(mariaUrl, "root", r -> "evt_m_3".equals(r.get("LAST_EVENT_ID"))
                        && "usr_rules".equals(r.get("USER_ID")),
                "SELECT * FROM payroll_time_records WHERE record_id = 'clockeye:time_entry:te_maria_rules'");

        assertThat(row).containsEntry("DURATION_SECONDS", 7200L).containsEntry("DELETED", true);
        assertThat(RunningClockrelay.instant(row.get("STARTS_AT"))).as("DATETIME columns hold UTC").isEqualTo("2024-09-02T08:00:00Z");
        assertThat(RunningClockrelay.instant(row.get("LAST_EVENT_AT"))).isEqualTo("2024-09-02T13:00:00Z");
    }

    private static List<Object> ids(String url, String user) {
        return RunningClockrelay.query(url, user, "SELECT record_id FROM payroll_time_records ORDER BY record_id").stream()
                .map(row -> row.values().iterator().next()).toList();
    }

    private static String event(String id, String type, String entryId, String userId, String at, int duration) {
        String data = "updated".equals(type.substring(type.indexOf('.') + 1))
                ? "{\"id\":\"" + entryId + "\",\"changes\":{\"duration\":" + duration + "},\"updated_at\":\"" + at + "\"}"
                : "{\"id\":\"" + entryId + "\",\"user_id\":\"" + userId + "\",\"start_time\":\"" + at + "\",\"duration\":" + duration + "}";
        return "{\"id\":\"" + id + "\",\"type\":\"" + type + "\",\"created_at\":\"" + at + "\",\"data\":" + data + "}";
    }
}
