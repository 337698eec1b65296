package io.clockrelay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.standardwebhooks.Webhook;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/** The shipped HTTP target against a stand-in payroll endpoint (WireMock): signed calls, retries, order, dead letters. */
class HttpTargetTest {

    static final String OLD_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    static final String NEW_SECRET = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    static final String ADMIN = "admin-token-for-http-tests-1";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path folder;
    static WireMockServer payroll;
    static RunningClockrelay app;

    @BeforeAll
    static void start() {
        payroll = new WireMockServer(options().dynamicPort());
        payroll.start();
        payroll.stubFor(post(urlEqualTo("/payroll/records")).atPriority(10).willReturn(aResponse().withStatus(204)));
        app = RunningClockrelay.start(folder, Map.of(
                "clockrelay.target.payroll-api.enabled", "true",
                "clockrelay.target.payroll-api.url", "http://localhost:" + payroll.port() + "/payroll/records",
                "clockrelay.target.payroll-api.secret", OLD_SECRET + "," + NEW_SECRET,
                "clockrelay.target.payroll-api.retry.initial-delay-ms", "300",
                "clockrelay.target.payroll-api.retry.max-delay-ms", "600",
                "clockrelay.admin.token", ADMIN));
    }

    @AfterAll
    static void stop() {
        app.close();
        payroll.stop();
    }

    @Test
    void aRecordIsPostedAsJsonSignedSoThatAStandardWebhooksLibraryVerifiesIt() throws Exception {
        accepted(event("evt_http_1", "te_http_1", "usr_http_1", "2024-08-01T09:00:00Z"));

        ServeEvent call = awaitCalls("evt_http_1", 1).get(0);
        String body = call.getRequest().getBodyAsString();
        JsonNode record = JSON.readTree(body);
        assertThat(record.get("recordId").asText()).isEqualTo("clockeye:time_entry:te_http_1");
        assertThat(record.get("eventId").asText()).isEqualTo("evt_http_1");
        assertThat(record.get("eventType").asText()).isEqualTo("time_entry.created");
        assertThat(record.get("action").asText()).isEqualTo("upsert");
        assertThat(record.get("source").asText()).isEqualTo("clockeye");
        assertThat(record.get("entity").asText()).isEqualTo("time_entry");
        assertThat(record.get("entityId").asText()).isEqualTo("te_http_1");
        assertThat(record.get("userId").asText()).isEqualTo("usr_http_1");
        assertThat(record.get("start").asText()).isEqualTo("2024-08-01T09:00:00Z");
        assertThat(record.get("end").asText()).as("start + 600 s").isEqualTo("2024-08-01T09:10:00Z");
        assertThat(record.get("durationSeconds").asLong()).isEqualTo(600);
        assertThat(record.get("timeKind").asText()).isEqualTo("work");
        assertThat(record.get("workDate").asText()).isEqualTo("2024-08-01");
        assertThat(Math.abs(Long.parseLong(call.getRequest().getHeader("webhook-timestamp")) - Instant.now().getEpochSecond()))
                .as("webhook-timestamp: the time of the call, in seconds").isLessThan(300);
        assertThat(call.getRequest().getHeader("Content-Type")).startsWith("application/json");
        assertThat(call.getRequest().getHeader("webhook-id")).isEqualTo("evt_http_1");
        Map<String, List<String>> headers = Map.of(
                "webhook-id", List.of(call.getRequest().getHeader("webhook-id")),
                "webhook-timestamp", List.of(call.getRequest().getHeader("webhook-timestamp")),
                "webhook-signature", List.of(call.getRequest().getHeader("webhook-signature")));
        new Webhook(OLD_SECRET).verify(body, headers);
        new Webhook(NEW_SECRET).verify(body, headers);
        assertThat(call.getRequest().getHeader("X-ClockEye-Signature")).as("nothing of the vendor's request travels on").isNull();
    }

    @Test
    void whileTheEndpointFailsRecordsWaitAndThenArriveOnceEachInTheUsersOrder() {
        payroll.stubFor(post(urlEqualTo("/payroll/records")).withRequestBody(containing("usr_order")).atPriority(1)
                .inScenario("outage").whenScenarioStateIs(Scenario.STARTED).willReturn(aResponse().withStatus(500)).willSetStateTo("second"));
        payroll.stubFor(post(urlEqualTo("/payroll/records")).withRequestBody(containing("usr_order")).atPriority(1)
                .inScenario("outage").whenScenarioStateIs("second").willReturn(aResponse().withStatus(503)).willSetStateTo("up"));
        payroll.stubFor(post(urlEqualTo("/payroll/records")).withRequestBody(containing("usr_order")).atPriority(1)
                .inScenario("outage").whenScenarioStateIs("up").willReturn(aResponse().withStatus(200)));

        for (int i = 1; i <= 3; i++) {
            accepted(event("evt_order_" + i, "te_order_" + i, "usr_order", "2024-08-02T0" + i + ":00:00Z"));
        }

        app.awaitRow(row -> ((Number) row.get("N")).intValue() == 3,
                "SELECT COUNT(*) AS n FROM deliveries WHERE target = 'payroll-api' AND event_id LIKE 'evt_order_%' AND status = 'delivered'");
        List<ServeEvent> calls = calls("evt_order_");
        List<String> succeeded = calls.stream().filter(call -> call.getResponse().getStatus() == 200)
                .map(call -> call.getRequest().getHeader("webhook-id")).toList();
        assertThat(succeeded).containsExactly("evt_order_1", "evt_order_2", "evt_order_3");
        assertThat(calls.stream().map(call -> call.getRequest().getHeader("webhook-id")).toList())
                .as("nothing of the user's was tried while the first waited").startsWith("evt_order_1", "evt_order_1", "evt_order_1");
    }

    @Test
    void aSlowEndpointDelaysNoOtherTarget() {
        payroll.stubFor(post(urlEqualTo("/payroll/records")).withRequestBody(containing("te_slow")).atPriority(1)
                .willReturn(aResponse().withStatus(200).withFixedDelay(4000)));

        accepted(event("evt_slow", "te_slow", "usr_slow", "2024-08-06T09:00:00Z"));

        app.awaitRow("SELECT * FROM payroll_time_records WHERE last_event_id = 'evt_slow'");
        assertThat(app.rows("SELECT status FROM deliveries WHERE event_id = 'evt_slow' AND target = 'payroll-api'").get(0))
                .as("the payroll table has the record while the HTTP call is still in flight").containsEntry("STATUS", "pending");
        app.awaitRow("SELECT * FROM deliveries WHERE event_id = 'evt_slow' AND target = 'payroll-api' AND status = 'delivered'");
    }

    @Test
    void anEndpointThatAnswersSlowlyHoldsItsOwnClaimLoopsAndNoneOfAnotherTarget() {
        payroll.stubFor(post(urlEqualTo("/payroll/records")).withRequestBody(containing("te_stall_")).atPriority(1)
                .willReturn(aResponse().withStatus(200).withFixedDelay(6000)));
        // Two claims of payroll-api, one after the other, each waiting 6 s for its answer: the target's two claim
        // loops (CLOCKRELAY_DELIVER_LOOPS) are busy with it.
        for (int i = 1; i <= 2; i++) {
            accepted(event("evt_stall_" + i, "te_stall_" + i, "usr_stall_" + i, "2024-08-07T0" + i + ":00:00Z"));
            app.awaitRow("SELECT * FROM deliveries WHERE event_id = ? AND target = 'payroll-api' AND claim_token IS NOT NULL", "evt_stall_" + i);
        }

        for (int i = 1; i <= 4; i++) {
            accepted(event("evt_meanwhile_" + i, "te_meanwhile_" + i, "usr_meanwhile_" + i, "2024-08-07T09:00:00Z"));
        }

        app.awaitRow(row -> ((Number) row.get("N")).intValue() == 4,
                "SELECT COUNT(*) AS n FROM payroll_time_records WHERE last_event_id LIKE 'evt_meanwhile_%'");
        assertThat(app.rows("SELECT event_id, status FROM deliveries WHERE event_id LIKE 'evt_stall_%' AND target = 'payroll-api' ORDER BY event_id"))
                .as("payroll-db had the records written meanwhile while payroll-api's calls were still waiting for their answers")
                .containsExactly(Map.of("EVENT_ID", "evt_stall_1", "STATUS", "pending"), Map.of("EVENT_ID", "evt_stall_2", "STATUS", "pending"));
        app.awaitRow(row -> ((Number) row.get("N")).intValue() == 6, "SELECT COUNT(*) AS n FROM deliveries WHERE target = 'payroll-api'"
                + " AND (event_id LIKE 'evt_stall_%' OR event_id LIKE 'evt_meanwhile_%') AND status = 'delivered'");
    }

    @Test
    void aRecordTheEndpointRefusesIsDeadLetteredWithTheStatus() {
        payroll.stubFor(post(urlEqualTo("/payroll/records")).withRequestBody(containing("te_refused")).atPriority(1)
                .willReturn(aResponse().withStatus(422).withBody("{\"error\":\"unknown employee\"}")));

        accepted(event("evt_refused", "te_refused", "usr_refused", "2024-08-03T09:00:00Z"));

        Map<String, Object> dead = app.awaitRow("SELECT * FROM dead_letters WHERE event_id = 'evt_refused' AND target = 'payroll-api'");
        assertThat((String) dead.get("LAST_ERROR")).isEqualTo("HTTP 422 Unprocessable Entity");
        assertThat(dead).containsEntry("ATTEMPTS", 1).containsEntry("RECORD_ID", "clockeye:time_entry:te_refused");
        assertThat(app.count("SELECT COUNT(*) FROM deliveries WHERE event_id = 'evt_refused' AND target = 'payroll-api'")).as("moved, not copied").isZero();
        assertThat(calls("evt_refused")).hasSize(1);
        app.awaitRow("SELECT * FROM payroll_time_records WHERE last_event_id = 'evt_refused'");
    }

    @Test
    void aRateLimitedCallIsRetriedNoSoonerThanRetryAfter() {
        payroll.stubFor(post(urlEqualTo("/payroll/records")).withRequestBody(containing("te_limited")).atPriority(1)
                .inScenario("limited").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "2")).willSetStateTo("ok"));
        payroll.stubFor(post(urlEqualTo("/payroll/records")).withRequestBody(containing("te_limited")).atPriority(1)
                .inScenario("limited").whenScenarioStateIs("ok").willReturn(aResponse().withStatus(200)));

        accepted(event("evt_limited", "te_limited", "usr_limited", "2024-08-04T09:00:00Z"));

        List<ServeEvent> calls = awaitCalls("evt_limited", 2);
        long gap = calls.get(1).getRequest().getLoggedDate().getTime() - calls.get(0).getRequest().getLoggedDate().getTime();
        assertThat(gap).as("Retry-After: 2 over a back-off of at most 600 ms").isGreaterThanOrEqualTo(2000);
        assertThat(calls).extracting(call -> call.getResponse().getStatus()).containsExactly(429, 200);
        assertThat(calls).extracting(call -> call.getRequest().getBodyAsString()).as("the same record both times").containsOnly(calls.get(0).getRequest().getBodyAsString());
        assertThat(app.rows("SELECT status, attempts FROM deliveries WHERE event_id = 'evt_limited' AND target = 'payroll-api'").get(0))
                .containsEntry("STATUS", "delivered").containsEntry("ATTEMPTS", 2);
    }

    @Test
    void deadLettersAreListedAndReplayedAfterTheCauseIsFixedKeepingTheirEventIds() throws Exception {
        for (String name : new String[] {"a", "b", "c"}) {
            payroll.stubFor(post(urlEqualTo("/payroll/records")).withRequestBody(containing("te_fix_" + name)).atPriority(1)
                    .willReturn(aResponse().withStatus(400).withBody("{\"error\":\"unknown employee\"}")));
            accepted(event("evt_fix_" + name, "te_fix_" + name, "usr_fix_" + name, "2024-08-05T09:00:00Z"));
        }
        app.awaitRow(row -> ((Number) row.get("N")).intValue() == 3, "SELECT COUNT(*) AS n FROM dead_letters WHERE event_id LIKE 'evt_fix_%'");
        WebhookClient management = new WebhookClient(app.managementPort);

        JsonNode listed = JSON.readTree(management.get("/admin/dead-letters?target=payroll-api&source=clockeye", "Authorization", "Bearer " + ADMIN).body());
        List<JsonNode> letters = new java.util.ArrayList<>();
        listed.get("deadLetters").forEach(letters::add);
        assertThat(letters).extracting(candidate -> candidate.get("eventId").asText()).containsExactlyInAnyOrder("evt_fix_a", "evt_fix_b", "evt_fix_c");
        JsonNode letter = letters.stream().filter(candidate -> candidate.get("eventId").asText().equals("evt_fix_a")).findFirst().orElseThrow();
        assertThat(letter.get("target").asText()).isEqualTo("payroll-api");
        assertThat(letter.get("attempts").asInt()).isEqualTo(1);
        assertThat(letter.get("lastError").asText()).startsWith("HTTP 400");
        assertThat(letter.get("record").get("recordId").asText()).isEqualTo("clockeye:time_entry:te_fix_a");
        assertThat(JSON.readTree(management.get("/admin/dead-letters?target=payroll-api&since=2999-01-01T00:00:00Z",
                "Authorization", "Bearer " + ADMIN).body()).get("deadLetters")).isEmpty();
        assertThat(management.get("/admin/dead-letters?since=yesterday", "Authorization", "Bearer " + ADMIN).statusCode()).isEqualTo(400);
        assertThat(management.get("/admin/replay?id=1", "Authorization", "Bearer " + ADMIN).statusCode()).isEqualTo(405);

        payroll.stubFor(post(urlEqualTo("/payroll/records")).withRequestBody(containing("te_fix_")).atPriority(1).willReturn(aResponse().withStatus(200)));
        java.net.http.HttpResponse<String> one = management.post("/admin/replay?id=" + letter.get("id").asText(), null, new byte[0],
                "Authorization", "Bearer " + ADMIN);
        assertThat(one.body()).isEqualTo("{\"replayed\":1}");
        app.awaitRow("SELECT * FROM deliveries WHERE event_id = 'evt_fix_a' AND target = 'payroll-api' AND status = 'delivered'");

        java.net.http.HttpResponse<String> all = management.post("/admin/replay?target=payroll-api", null, new byte[0],
                "Authorization", "Bearer " + ADMIN);
        assertThat(all.body()).as("b and c: a was replayed already").isEqualTo("{\"replayed\":2}");
        app.awaitRow(row -> ((Number) row.get("N")).intValue() == 3,
                "SELECT COUNT(*) AS n FROM deliveries WHERE event_id LIKE 'evt_fix_%' AND target = 'payroll-api' AND status = 'delivered'");
        for (String name : new String[] {"a", "b", "c"}) {
            List<ServeEvent> calls = calls("evt_fix_" + name);
            assertThat(calls).hasSize(2);
            assertThat(calls).extracting(call -> call.getRequest().getHeader("webhook-id")).as("replayed under the same webhook-id")
                    .containsExactly("evt_fix_" + name, "evt_fix_" + name);
            assertThat(calls).extracting(call -> call.getResponse().getStatus()).containsExactly(400, 200);
        }
        assertThat(app.count("SELECT COUNT(*) FROM dead_letters WHERE event_id LIKE 'evt_fix_%'")).isZero();
    }

    private static void accepted(String body) {
        assertThat(app.postClockEye(body).body()).isEqualTo("{\"status\":\"accepted\"}");
    }

    private static List<ServeEvent> awaitCalls(String eventIdPrefix, int count) {
        app.awaitRow(row -> ((Number) row.get("N")).intValue() >= 1,
                "SELECT COUNT(*) AS n FROM deliveries WHERE target = 'payroll-api' AND event_id = ? AND status = 'delivered'", eventIdPrefix);
        List<ServeEvent> calls = calls(eventIdPrefix);
        assertThat(calls).hasSize(count);
        return calls;
    }

    private static List<ServeEvent> calls(String eventIdPrefix) {
        return payroll.getAllServeEvents().stream()
                .filter(call -> String.valueOf(call.getRequest().getHeader("webhook-id")).startsWith(eventIdPrefix))
                .sorted(Comparator.comparing(call -> call.getRequest().getLoggedDate()))
                .toList();
    }

    static String event(String id, String entryId, String userId, String start) {
        return "{\"id\":\"" + id + "\",\"type\":\"time_entry.created\",\"created_at\":\"" + start + "\","
                + "\"data\":{\"id\":\"" + entryId + "\",\"user_id\":\"" + userId + "\",\"start_time\":\"" + start + "\",\"duration\":600}}";
    }
}
