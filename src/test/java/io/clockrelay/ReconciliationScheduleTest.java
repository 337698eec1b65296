package io.clockrelay;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The schedule: two instances on one PostgreSQL, each looking every 300 ms whether a reconciliation is due, run one
 * reconciliation of the interval between them; the time of the last success and the age of each vendor's newest
 * webhook are metrics, the same on both.
 */
class ReconciliationScheduleTest {

    @TempDir
    static Path folder;
    static EmbeddedPostgres postgres;
    static WireMockServer clockodo;
    static RunningClockrelay first;
    static RunningClockrelay second;

    @BeforeAll
    static void start() throws IOException {
        postgres = EmbeddedPostgres.builder().start();
        clockodo = new WireMockServer(options().dynamicPort());
        clockodo.start();
        clockodo.stubFor(get(urlPathEqualTo("/api/v2/entries")).willReturn(okJson(
                "{\"paging\":{\"items_per_page\":1000,\"current_page\":1,\"count_pages\":1,\"count_items\":0},\"filter\":null,\"entries\":[]}")));
        clockodo.stubFor(get(urlPathEqualTo("/api/v4/absences")).willReturn(okJson("{\"data\":[]}")));
        Map<String, String> shared = new HashMap<>();
        shared.put("clockrelay.store.url", "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres");
        shared.put("clockrelay.store.user", "postgres");
        shared.put("clockrelay.clockodo.tokens", ClockodoEnrichmentTest.TOKEN);
        shared.put("clockrelay.clockodo.api-url", "http://localhost:" + clockodo.port() + "/api");
        shared.put("clockrelay.clockodo.api-user", ClockodoEnrichmentTest.API_USER);
        shared.put("clockrelay.clockodo.api-key", ClockodoEnrichmentTest.API_KEY);
        shared.put("clockrelay.reconcile.interval", "1h");
        shared.put("clockrelay.reconcile.check-ms", "300");
        shared.put("clockrelay.reconcile.first-check-ms", "300");
        first = RunningClockrelay.start(Files.createDirectories(folder.resolve("first")), shared);
        second = RunningClockrelay.start(Files.createDirectories(folder.resolve("second")), shared);
    }

    @AfterAll
    static void stop() throws Exception {
        first.close();
        second.close();
        clockodo.stop();
        postgres.close();
    }

    @Test
    void twoInstancesRunOneReconciliationOfTheIntervalBetweenThem() {
        first.awaitRow("SELECT * FROM clockrelay_jobs WHERE name = 'reconcile-clockodo' AND last_success_at IS NOT NULL");
        // Both have looked a few times since: neither runs another within the hour.
        awaitChecks(first, 5);
        awaitChecks(second, 5);

        assertThat(clockodo.findAll(getRequestedFor(urlPathEqualTo("/api/v2/entries")))).as("one run: one listing").hasSize(1);
        assertThat(runs(first) + runs(second)).isEqualTo(1);
        String metrics = second.get(second.managementPort, "/observe/metrics").body();
        Matcher success = Pattern.compile("(?m)^clockrelay_reconcile_last_success_seconds\\{source=\"clockodo\"} ([0-9.E]+)$").matcher(metrics);
        assertThat(success.find()).as(metrics).isTrue();
        assertThat(Double.parseDouble(success.group(1))).as("the same on the instance that did not run it")
                .isCloseTo(Instant.now().getEpochSecond(), org.assertj.core.data.Offset.offset(120.0));
        assertThat(ClockodoEnrichmentTest.healthMessageOf(second, "reconcile-clockodo")).isEmpty();
    }

    @Test
    void theAgeOfEachVendorsNewestWebhookIsAMetric() {
        first.postClockEye("{\"id\":\"evt_age\",\"type\":\"project.created\",\"created_at\":\"2024-09-01T10:00:00Z\",\"data\":{\"id\":\"prj_age\",\"name\":\"Age\"}}");
        first.awaitRow("SELECT * FROM inbox WHERE event_id = 'evt_age'");

        Instant deadline = Instant.now().plus(RunningClockrelay.WAIT);
        Pattern age = Pattern.compile("(?m)^clockrelay_last_webhook_age_seconds\\{source=\"clockeye\"} ([0-9.E]+)$");
        Matcher matcher = age.matcher("");
        while (!(matcher = age.matcher(second.get(second.managementPort, "/observe/metrics").body())).find()) {
            assertThat(Instant.now()).isBefore(deadline);
            RunningClockrelay.pause();
        }
        assertThat(Double.parseDouble(matcher.group(1))).as("seen from the other instance, read from the store").isLessThan(60);
    }

    /** Waits until the instance's reconcile route has looked whether a run is due this many times. */
    private static void awaitChecks(RunningClockrelay app, int times) {
        Instant deadline = Instant.now().plus(RunningClockrelay.WAIT);
        Pattern checks = Pattern.compile("(?m)^camel_exchanges_total\\{[^}]*routeId=\"reconcile\"[^}]*} ([0-9.E]+)$");
        while (true) {
            Matcher matcher = checks.matcher(app.get(app.managementPort, "/observe/metrics").body());
            if (matcher.find() && Double.parseDouble(matcher.group(1)) >= times) {
                return;
            }
            assertThat(Instant.now()).as("the reconcile route looked " + times + " times").isBefore(deadline);
            RunningClockrelay.pause();
        }
    }

    private static int runs(RunningClockrelay app) {
        Matcher matcher = Pattern.compile("(?m)^clockrelay_reconcile_runs_total\\{outcome=\"success\",source=\"clockodo\"} ([0-9.E]+)$")
                .matcher(app.get(app.managementPort, "/observe/metrics").body());
        return matcher.find() ? (int) Double.parseDouble(matcher.group(1)) : 0;
    }
}
