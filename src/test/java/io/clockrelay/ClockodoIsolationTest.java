package io.clockrelay;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One vendor's API never delays another vendor's records: ClockEye and Connecteam webhooks are mapped and delivered
 * at their usual pace while Clockodo's API is busy with a burst, or hangs; a hanging API opens the circuit breaker
 * (health and metrics say so), and once it answers again every Clockodo notification is delivered once, in order per
 * record, several notifications for one entry costing one fetch.
 */
class ClockodoIsolationTest {

    static final String CONNECTEAM_SECRET = "connecteam-isolation-secret";
    /** What "at their usual pace" may take at most here, on a loaded 2-core machine; normally well under a second. */
    static final Duration USUAL = Duration.ofSeconds(5);

    @TempDir
    Path folder;
    WireMockServer clockodo;
    RunningClockrelay app;

    @BeforeEach
    void start() {
        clockodo = new WireMockServer(options().dynamicPort().containerThreads(60));
        clockodo.start();
        clockodo.stubFor(get(urlEqualTo("/api/v3/users/5")).willReturn(okJson(ClockodoEnrichmentTest.apiFixture("user"))));
        Map<String, String> settings = new HashMap<>();
        settings.put("clockrelay.clockodo.tokens", ClockodoEnrichmentTest.TOKEN);
        settings.put("clockrelay.clockodo.api-url", "http://localhost:" + clockodo.port() + "/api");
        settings.put("clockrelay.clockodo.api-user", ClockodoEnrichmentTest.API_USER);
        settings.put("clockrelay.clockodo.api-key", ClockodoEnrichmentTest.API_KEY);
        settings.put("clockrelay.clockodo.timeout-ms", "1000");
        settings.put("clockrelay.clockodo.breaker.minimum-calls", "4");
        settings.put("clockrelay.clockodo.breaker.window", "8");
        settings.put("clockrelay.clockodo.breaker.open-seconds", "3");
        settings.put("clockrelay.connecteam.secrets", CONNECTEAM_SECRET);
        app = RunningClockrelay.start(folder, settings);
    }

    @AfterEach
    void stop() {
        app.close();
        clockodo.stop();
    }

    @Test
    void aBurstOfClockodoNotificationsDelaysNoClockEyeRecord() throws Exception {
        // Every entry answers after 50 ms: the burst keeps the enrichment busy for a minute and more (900 calls a minute).
        clockodo.stubFor(get(urlPathMatching("/api/v2/entries/[0-9]+")).willReturn(okJson(ClockodoEnrichmentTest.apiFixture("entry")).withFixedDelay(50)));
        sendAll(1000, i -> ClockodoEnrichmentTest.notification("entry.updated", "entry", String.valueOf(10_000 + i), "2024-05-01T10:00:00Z"));

        Duration clockEye = clockEyeEndToEnd("evt_isolated_burst");

        System.out.println("ClockodoIsolationTest: ClockEye end to end during a burst of 1,000 Clockodo notifications: " + clockEye.toMillis() + " ms");
        assertThat(app.count("SELECT COUNT(*) FROM inbox WHERE source = 'clockodo' AND status = 'pending'"))
                .as("the ClockEye record did not wait for the burst").isGreaterThan(100);
    }

    @Test
    void aHangingApiOpensTheCircuitWhileOtherVendorsFlowAndEveryNotificationIsDeliveredOnceItAnswers() throws Exception {
        // Accepts connections and never answers within the timeout.
        clockodo.stubFor(get(urlPathMatching("/api/v2/entries/[0-9]+")).willReturn(aResponse().withFixedDelay(20_000).withStatus(200)));
        sendAll(20, i -> ClockodoEnrichmentTest.notification("entry.updated", "entry", String.valueOf(20_000 + i), "2024-05-02T10:00:00Z"));

        Instant deadline = Instant.now().plus(RunningClockrelay.WAIT);
        while (!app.get(app.managementPort, "/observe/metrics").body().contains("clockrelay_api_circuit_state{api=\"clockodo-api\",state=\"open\"} 1.0")) {
            assertThat(Instant.now()).as("the circuit opens").isBefore(deadline);
            RunningClockrelay.pause();
        }
        Duration clockEye = clockEyeEndToEnd("evt_isolated_hang");
        Duration connecteam = connecteamEndToEnd("req-isolated-hang");
        System.out.println("ClockodoIsolationTest: while Clockodo's API hangs: ClockEye " + clockEye.toMillis() + " ms, Connecteam "
                + connecteam.toMillis() + " ms end to end");
        assertThat(ClockodoEnrichmentTest.healthMessageOf(app, "clockodo-api")).startsWith("Clockodo's API failed repeatedly (circuit breaker ");
        assertThat(app.get(app.managementPort, "/observe/health").statusCode()).as("still ready: webhooks are accepted").isEqualTo(200);

        // Meanwhile, three notifications for each of ten entries wait together.
        for (int touch = 1; touch <= 3; touch++) {
            int second = touch;
            sendAll(10, i -> ClockodoEnrichmentTest.notification("entry.updated", "entry", String.valueOf(21_000 + i), "2024-05-02T11:00:0" + second + "Z"));
        }
        Instant recovered = Instant.now();
        clockodo.stubFor(get(urlPathMatching("/api/v2/entries/[0-9]+")).willReturn(okJson(ClockodoEnrichmentTest.apiFixture("entry"))));

        app.awaitRow(row -> ((Number) row.get("N")).intValue() == 0,
                "SELECT COUNT(*) AS n FROM inbox WHERE source = 'clockodo' AND status <> 'done'");
        app.awaitIdle();
        for (int i = 0; i < 20; i++) {
            assertThat(app.count("SELECT COUNT(*) FROM payroll_time_records WHERE record_id = ?", "clockodo:time_entry:" + (20_000 + i))).isEqualTo(1);
        }
        Map<String, Long> fetches = clockodo.getAllServeEvents().stream().map(ServeEvent::getRequest)
                .filter(request -> request.getLoggedDate().toInstant().isAfter(recovered) && request.getUrl().matches("/api/v2/entries/21[0-9]{3}"))
                .collect(Collectors.groupingBy(request -> request.getUrl(), Collectors.counting()));
        assertThat(fetches).as("three notifications of an entry waiting together: one fetch").hasSize(10).allSatisfy((path, calls) -> assertThat(calls).isEqualTo(1));
        for (int i = 0; i < 10; i++) {
            assertThat(app.rows("SELECT last_event_id FROM payroll_time_records WHERE record_id = ?", "clockodo:time_entry:" + (21_000 + i)))
                    .as("the newest notification's state").containsExactly(Map.of("LAST_EVENT_ID", "entry.updated:entry:" + (21_000 + i) + ":2024-05-02T11:00:03Z"));
            assertThat(app.count("SELECT COUNT(*) FROM deliveries WHERE record_id = ?", "clockodo:time_entry:" + (21_000 + i))).as("delivered once").isEqualTo(1);
        }
    }

    /** Posts a ClockEye webhook and waits for its payroll row: the time from sending to the row, at most {@link #USUAL}. */
    private Duration clockEyeEndToEnd(String eventId) {
        Instant sent = Instant.now();
        assertThat(app.postClockEye("{\"id\":\"" + eventId + "\",\"type\":\"time_entry.created\",\"created_at\":\"2024-05-03T10:00:00Z\","
                + "\"data\":{\"id\":\"te_" + eventId + "\",\"user_id\":\"usr_iso\",\"start_time\":\"2024-05-03T09:00:00Z\",\"duration\":60}}").body())
                .isEqualTo("{\"status\":\"accepted\"}");
        awaitWithin(USUAL, "SELECT COUNT(*) AS n FROM payroll_time_records WHERE last_event_id = ?", eventId);
        return Duration.between(sent, Instant.now());
    }

    private Duration connecteamEndToEnd(String requestId) {
        Instant sent = Instant.now();
        String body = ConnecteamEventsToPayrollTest.timeActivity("clock_in", "shift", requestId, 777,
                "{\"id\":\"sh_" + requestId + "\",\"start\":{\"timestamp\":1720000000,\"timezone\":\"UTC\"}}", 1720000005);
        assertThat(app.post("/webhooks/connecteam", "application/json", body.getBytes(StandardCharsets.UTF_8), "X-Webhook-Secret", CONNECTEAM_SECRET).body())
                .isEqualTo("{\"status\":\"accepted\"}");
        awaitWithin(USUAL, "SELECT COUNT(*) AS n FROM payroll_time_records WHERE last_event_id = ?", requestId);
        return Duration.between(sent, Instant.now());
    }

    private void awaitWithin(Duration bound, String sql, Object parameter) {
        Instant deadline = Instant.now().plus(bound);
        while (app.count(sql, parameter) == 0) {
            assertThat(Instant.now()).as("delivered within " + bound.toSeconds() + " s: " + parameter).isBefore(deadline);
            RunningClockrelay.pause();
        }
    }

    private void sendAll(int count, java.util.function.IntFunction<String> body) throws Exception {
        ExecutorService senders = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < count; i++) {
                String notification = body.apply(i);
                answers.add(senders.submit(() -> app.post("/webhooks/clockodo", "application/json", notification.getBytes(StandardCharsets.UTF_8)).body()));
            }
            for (Future<String> answer : answers) {
                assertThat(answer.get()).isEqualTo("{\"status\":\"accepted\"}");
            }
        } finally {
            senders.shutdown();
        }
    }
}
