package io.clockrelay;

import com.github.tomakehurst.wiremock.WireMockServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.DoublePredicate;
import java.util.regex.Pattern;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What operations watch: the domain metrics on /observe/metrics and each target's health on /observe/health, with
 * one target working (payroll-db) and one failing (payroll-api: 503 for one record, a permanent 400 for another).
 */
class ObservabilityTest {

    @TempDir
    static Path folder;
    static WireMockServer payroll;
    static RunningClockrelay app;

    @BeforeAll
    static void start() {
        payroll = new WireMockServer(options().dynamicPort());
        payroll.start();
        payroll.stubFor(post(urlEqualTo("/payroll/records")).atPriority(10).willReturn(aResponse().withStatus(503)));
        payroll.stubFor(post(urlEqualTo("/payroll/records")).atPriority(1).withRequestBody(containing("evt_obs_refused"))
                .willReturn(aResponse().withStatus(400).withBody("{\"error\":\"unknown employee\"}")));
        app = RunningClockrelay.start(folder, Map.of(
                "clockrelay.target.payroll-api.enabled", "true",
                "clockrelay.target.payroll-api.url", "http://localhost:" + payroll.port() + "/payroll/records",
                "clockrelay.target.payroll-api.secret", HttpTargetTest.OLD_SECRET,
                // The failing record stays pending for the whole test.
                "clockrelay.target.payroll-api.retry.initial-delay-ms", "600000"));

        app.postClockEye(HttpTargetTest.event("evt_obs_waits", "te_obs_1", "usr_obs_1", "2024-08-01T09:00:00Z"));
        app.postClockEye(HttpTargetTest.event("evt_obs_waits", "te_obs_1", "usr_obs_1", "2024-08-01T09:00:00Z"));
        app.postClockEye(HttpTargetTest.event("evt_obs_refused", "te_obs_2", "usr_obs_2", "2024-08-01T10:00:00Z"));
        app.post("/webhooks/clockeye", "application/json", "{\"id\":\"evt_forged\"}".getBytes(), "X-ClockEye-Signature", "sha256=00");
        app.awaitRow("SELECT * FROM dead_letters WHERE event_id = 'evt_obs_refused'");
        app.awaitRow(row -> ((Number) row.get("ATTEMPTS")).intValue() == 1,
                "SELECT attempts FROM deliveries WHERE target = 'payroll-api' AND event_id = 'evt_obs_waits'");
    }

    @AfterAll
    static void stop() {
        app.close();
        payroll.stop();
    }

    @Test
    void webhooksAreCountedBySourceOutcomeAndReasonWithTheirAnswerTime() {
        awaitMetric("clockrelay_webhooks_total", Map.of("source", "clockeye", "outcome", "accepted", "reason", "none"), v -> v == 2);
        awaitMetric("clockrelay_webhooks_total", Map.of("source", "clockeye", "outcome", "duplicate"), v -> v == 1);
        awaitMetric("clockrelay_webhooks_total", Map.of("source", "clockeye", "outcome", "rejected", "reason", "verification"), v -> v == 1);
        awaitMetric("clockrelay_webhook_request_seconds_count", Map.of("source", "clockeye", "outcome", "accepted"), v -> v == 2);
        awaitMetric("clockrelay_webhook_request_seconds_bucket", Map.of("source", "clockeye", "outcome", "accepted", "le", "10.0"), v -> v == 2);
    }

    @Test
    void recordsAndDeliveriesAreCountedByTargetAndOutcome() {
        awaitMetric("clockrelay_records_total", Map.of("source", "clockeye", "entity", "time_entry"), v -> v == 2);
        awaitMetric("clockrelay_deliveries_total", Map.of("target", "payroll-db", "outcome", "delivered"), v -> v == 2);
        awaitMetric("clockrelay_deliveries_total", Map.of("target", "payroll-api", "outcome", "dead_lettered"), v -> v == 1);
        awaitMetric("clockrelay_delivery_attempts_total", Map.of("target", "payroll-api", "outcome", "failed"), v -> v == 2);
        awaitMetric("clockrelay_delivery_latency_seconds_count", Map.of("target", "payroll-db"), v -> v == 2);
    }

    @Test
    void theBacklogIsReadFromTheStore() {
        awaitMetric("clockrelay_outbox_pending", Map.of("target", "payroll-api"), v -> v == 1);
        awaitMetric("clockrelay_outbox_pending", Map.of("target", "payroll-db"), v -> v == 0);
        awaitMetric("clockrelay_outbox_oldest_pending_age_seconds", Map.of("target", "payroll-api"), v -> v > 0);
        awaitMetric("clockrelay_dead_letters", Map.of("target", "payroll-api"), v -> v == 1);
        awaitMetric("clockrelay_inbox_pending", Map.of(), v -> v == 0);
    }

    @Test
    void theJvmsOwnSeriesAreThereToWatchMemory() {
        awaitMetric("jvm_memory_used_bytes", Map.of("area", "heap"), v -> v > 0);
        awaitMetric("jvm_threads_live_threads", Map.of(), v -> v > 0);
    }

    @Test
    void aFailingTargetIsReportedDegradedWithItsReasonAndTheAppStaysReady() {
        String health = app.get(app.managementPort, "/observe/health?exposureLevel=full").body();

        assertThat(health).containsPattern("\"name\": ?\"target-payroll-api\",\\s*\"status\": ?\"UNKNOWN\"")
                .containsPattern("deliveries to payroll-api are failing since [^:]+:\\d\\d:\\d\\d[.0-9]*Z: HTTP (503|400)");
        assertThat(health).containsPattern("\"name\": ?\"target-payroll-db\",\\s*\"status\": ?\"UP\"");
        assertThat(app.get(app.managementPort, "/observe/health").statusCode()).isEqualTo(200);
        assertThat(app.get(app.managementPort, "/observe/health/ready").statusCode()).as("the probe Kubernetes uses").isEqualTo(200);
    }

    /** Polls /observe/metrics until the series with these labels has a value the condition accepts; fails after 30 s. */
    private static void awaitMetric(String name, Map<String, String> labels, DoublePredicate condition) {
        Instant deadline = Instant.now().plus(RunningClockrelay.WAIT);
        OptionalDouble last = OptionalDouble.empty();
        String page = "";
        while (Instant.now().isBefore(deadline)) {
            page = app.get(app.managementPort, "/observe/metrics").body();
            last = value(page, name, labels);
            if (last.isPresent() && condition.test(last.getAsDouble())) {
                return;
            }
            RunningClockrelay.pause();
        }
        throw new AssertionError(name + labels + " is " + last + "; the series of that name:\n"
                + page.lines().filter(line -> line.startsWith(name)).reduce("", (a, b) -> a + b + "\n"));
    }

    /** The value of the series with these labels on a Prometheus page (/observe/metrics), if there is one. */
    static OptionalDouble value(String page, String name, Map<String, String> labels) {
        Pattern series = Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*})? (\\S+)$");
        return page.lines().map(series::matcher).filter(java.util.regex.Matcher::matches)
                .filter(line -> labels.entrySet().stream().allMatch(label ->
                        (line.group(1) == null ? "" : line.group(1)).contains(label.getKey() + "=\"" + label.getValue() + "\"")))
                .mapToDouble(line -> Double.parseDouble(line.group(2))).findFirst();
    }
}
