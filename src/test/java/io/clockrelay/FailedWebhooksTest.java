package io.clockrelay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Signed, well-formed webhooks whose content a record cannot be made of are set aside (inbox status failed) with
 * their reason, counted, listed for operators and replayable once the cause is fixed; never retried in silence,
 * never holding back the employee's later webhooks, never half-mapped into the payroll table.
 */
class FailedWebhooksTest {

    static final String ADMIN = "admin-token-failed-webhooks-01";
    static final String CONNECTEAM = "connecteam-failed-secret-01";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path folder;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "an id of 400 characters|clockeye|{\"id\":\"evt_long_id\",\"type\":\"time_entry.created\",\"created_at\":\"2024-06-01T10:00:00Z\",\"data\":{\"id\":\"LONG\",\"user_id\":\"usr_poison\",\"start_time\":\"2024-06-01T09:00:00Z\",\"duration\":60}}|the time_entry's id is 400 characters long: ids over 255 cannot be stored ('X60…')",
            "a start of 'yesterday'|clockeye|{\"id\":\"evt_yesterday\",\"type\":\"time_entry.created\",\"created_at\":\"2024-06-01T10:00:00Z\",\"data\":{\"id\":\"te_yesterday\",\"user_id\":\"usr_poison\",\"start_time\":\"yesterday\",\"duration\":60}}|data.start_time is \"yesterday\", not an ISO-8601 instant such as 2024-01-15T09:00:00Z",
            "no start at all|clockeye|{\"id\":\"evt_no_start\",\"type\":\"time_entry.created\",\"created_at\":\"2024-06-01T10:00:00Z\",\"data\":{\"id\":\"te_no_start\",\"user_id\":\"usr_poison\",\"duration\":60}}|data.start_time is missing: a time entry cannot be paid without its start",
            "a duration that is no number|clockeye|{\"id\":\"evt_duration\",\"type\":\"time_entry.created\",\"created_at\":\"2024-06-01T10:00:00Z\",\"data\":{\"id\":\"te_duration\",\"user_id\":\"usr_poison\",\"start_time\":\"2024-06-01T09:00:00Z\",\"duration\":\"an hour\"}}|data.duration is \"an hour\", not a number",
            "a negative duration|clockeye|{\"id\":\"evt_negative\",\"type\":\"time_entry.created\",\"created_at\":\"2024-06-01T10:00:00Z\",\"data\":{\"id\":\"te_negative\",\"user_id\":\"usr_poison\",\"start_time\":\"2024-06-01T09:00:00Z\",\"duration\":-60}}|data.duration is -60, not seconds from 0 to 31622400",
            "a timestamp of 1e30|connecteam|{\"requestId\":\"req-1e30\",\"company\":\"c1\",\"eventType\":\"clock_in\",\"activityType\":\"shift\",\"eventTimestamp\":1717236000,\"userId\":901,\"timeClockId\":67,\"timeActivity\":{\"id\":\"sh_1e30\",\"start\":{\"timestamp\":1e30,\"timezone\":\"UTC\"}}}|timeActivity.start.timestamp is 1.0E30, not whole Unix seconds",
            "a shift ending before it starts|connecteam|{\"requestId\":\"req-backwards\",\"company\":\"c1\",\"eventType\":\"clock_out\",\"activityType\":\"shift\",\"eventTimestamp\":1717236000,\"userId\":901,\"timeClockId\":67,\"timeActivity\":{\"id\":\"sh_backwards\",\"start\":{\"timestamp\":1717236000,\"timezone\":\"UTC\"},\"end\":{\"timestamp\":1717230000,\"timezone\":\"UTC\"}}}|the shift sh_backwards ends (2024-06-01T08:20:00Z) before it starts (2024-06-01T10:00:00Z)",
            "a time zone that is none|connecteam|{\"requestId\":\"req-zone\",\"company\":\"c1\",\"eventType\":\"clock_in\",\"activityType\":\"shift\",\"eventTimestamp\":1717236000,\"userId\":901,\"timeClockId\":67,\"timeActivity\":{\"id\":\"sh_zone\",\"start\":{\"timestamp\":1717236000,\"timezone\":\"Mars/Olympus\"}}}|timeActivity.start.timezone is 'Mars/Olympus', not a time zone such as Europe/Vienna",
            "a time off counted in weeks|connecteam|{\"requestId\":\"req-weeks\",\"company\":\"c1\",\"eventType\":\"admin_add\",\"activityType\":\"time_off\",\"eventTimestamp\":1717236000,\"userId\":901,\"timeClockId\":67,\"timeActivity\":{\"id\":\"to_weeks\",\"start\":{\"timestamp\":1717236000,\"timezone\":\"UTC\"},\"policyTypeId\":\"p1\",\"duration\":{\"value\":1,\"units\":\"weeks\"},\"isAllDay\":true}}|timeActivity.duration.units is 'weeks', not hours or days"})
    void oddContentIsSetAsideWithItsReasonAndHoldsBackNothing(String name, String source, String body, String expected) throws Exception {
        String reason = expected.replace("X60", "x".repeat(60));
        try (RunningClockrelay app = start(Map.of())) {
            String payload = body.replace("LONG", "x".repeat(400));
            String eventId = JSON.readTree(payload).has("id") ? JSON.readTree(payload).get("id").asText() : JSON.readTree(payload).get("requestId").asText();
            assertThat(send(app, source, payload)).as("answered 200: the webhook is well-formed and signed").isEqualTo(200);
            // The same employee's next webhook is not held back by it.
            String user = source.equals("clockeye") ? "usr_poison" : "901";
            assertThat(send(app, source, source.equals("clockeye")
                    ? "{\"id\":\"evt_after\",\"type\":\"time_entry.created\",\"created_at\":\"2024-06-01T11:00:00Z\",\"data\":{\"id\":\"te_after\",\"user_id\":\"usr_poison\",\"start_time\":\"2024-06-01T10:00:00Z\",\"duration\":60}}"
                    : ConnecteamEventsToPayrollTest.timeActivity("clock_in", "shift", "req-after", 901, "{\"id\":\"sh_after\",\"start\":{\"timestamp\":1717239600,\"timezone\":\"UTC\"}}", 1717239601)))
                    .isEqualTo(200);
            app.awaitRow("SELECT * FROM payroll_time_records WHERE user_id = ? AND record_id LIKE '%after'", user);

            Map<String, Object> failed = app.rows("SELECT status, attempts, last_error FROM inbox WHERE event_id = ?", eventId).get(0);
            assertThat(failed).containsEntry("STATUS", "failed").containsEntry("ATTEMPTS", 1).containsEntry("LAST_ERROR", reason);
            assertThat(app.count("SELECT COUNT(*) FROM payroll_time_records WHERE last_event_id = ?", eventId)).as("never half-mapped").isZero();
            assertThat(app.get(app.managementPort, "/observe/metrics").body())
                    .contains("clockrelay_webhooks_failed_total{source=\"" + source + "\"} 1.0")
                    .containsPattern("(?m)^clockrelay_inbox_failed(\\{[^}]*})? 1\\.0$");
            JsonNode listed = JSON.readTree(app.get(app.managementPort, "/admin/failed-webhooks?source=" + source, "Authorization", "Bearer " + ADMIN).body());
            assertThat(listed.get("failedWebhooks")).singleElement().satisfies(webhook -> {
                assertThat(webhook.get("eventId").asText()).isEqualTo(eventId);
                assertThat(webhook.get("reason").asText()).isEqualTo(reason);
                assertThat(webhook.get("payload").asText()).isEqualTo(payload);
            });
        }
    }

    @Test
    void aWebhookSetAsideByOneVersionIsReplayedOnceTheVersionThatMapsItRuns() throws Exception {
        String timeOff = RunningClockrelay.fixture("connecteam", "time-activity/admin_add.time_off");
        long id;
        try (RunningClockrelay strict = start(Map.of("clockrelay.routes.dir", Path.of("src/test/resources/routes-strict-mapper").toAbsolutePath().toString()))) {
            assertThat(send(strict, "connecteam", timeOff)).isEqualTo(200);
            Map<String, Object> failed = strict.awaitRow("SELECT id, last_error FROM inbox WHERE status = 'failed'");
            assertThat(failed).containsEntry("LAST_ERROR", "this version cannot map time off");
            id = ((Number) failed.get("ID")).longValue();
            assertThat(strict.get(strict.managementPort, "/admin/replay-webhooks?id=" + id, "Authorization", "Bearer " + ADMIN).statusCode())
                    .as("replay is a POST").isEqualTo(405);
            // A flaw of the version (an exception, not a refusal) is no more retried in silence than odd content.
            assertThat(send(strict, "connecteam", RunningClockrelay.fixture("connecteam", "time-activity/admin_add.manual_break"))).isEqualTo(200);
            assertThat(strict.awaitRow("SELECT attempts, last_error FROM inbox WHERE status = 'failed' AND event_type = 'admin_add'"
                    + " AND payload LIKE '%manual_break%'")).containsEntry("ATTEMPTS", 1)
                    .containsEntry("LAST_ERROR", "clockrelay could not map it (java.lang.IllegalStateException: a flaw of this version with breaks):"
                            + " replay it once a version that can is running");
        }
        try (RunningClockrelay fixed = start(Map.of())) {
            java.net.http.HttpResponse<String> replay = fixed.post(fixed.managementPort, "/admin/replay-webhooks?id=" + id, ADMIN);
            assertThat(replay.statusCode()).isEqualTo(200);
            assertThat(replay.body()).isEqualTo("{\"replayed\":1}");
            assertThat(fixed.post(fixed.managementPort, "/admin/replay-webhooks?source=connecteam", ADMIN).body())
                    .as("the rest of the vendor's, the break among them").isEqualTo("{\"replayed\":1}");
            fixed.awaitRow("SELECT * FROM payroll_time_records WHERE entity = 'break' AND last_event_type = 'admin_add'");

            Map<String, Object> row = fixed.awaitRow("SELECT * FROM payroll_time_records WHERE record_id = 'connecteam:time_off:65d32918a28dbd2c492d76bb'");
            assertThat(row).containsEntry("TIME_KIND", "absence").containsEntry("QUANTITY_UNIT", "days");
            assertThat(fixed.rows("SELECT status, last_error FROM inbox WHERE id = ?", id)).singleElement()
                    .satisfies(webhook -> assertThat(webhook).containsEntry("STATUS", "done").containsEntry("LAST_ERROR", null));
            assertThat(fixed.post(fixed.managementPort, "/admin/replay-webhooks?id=" + id, ADMIN).statusCode()).as("nothing failed to replay").isEqualTo(404);
        }
    }

    private RunningClockrelay start(Map<String, String> more) throws IOException {
        Map<String, String> settings = new java.util.HashMap<>(more);
        settings.put("clockrelay.store.url", "jdbc:h2:file:" + folder.resolve("store").toAbsolutePath() + ";WRITE_DELAY=0");
        settings.put("clockrelay.connecteam.secrets", CONNECTEAM);
        settings.put("clockrelay.admin.token", ADMIN);
        return RunningClockrelay.start(Files.createDirectories(folder.resolve("app")), settings);
    }

    private static int send(RunningClockrelay app, String source, String body) {
        return source.equals("clockeye") ? app.postClockEye(body).statusCode()
                : app.post("/webhooks/connecteam", "application/json", body.getBytes(StandardCharsets.UTF_8), "X-Webhook-Secret", CONNECTEAM).statusCode();
    }
}
