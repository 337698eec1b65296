package io.clockrelay;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An instance killed (SIGKILL) while it holds claimed deliveries, one of them in flight to a slow payroll
 * endpoint: another instance on the same PostgreSQL claims them once their lease expires and delivers them all.
 */
class KilledInstanceTest {

    static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    @TempDir
    Path folder;
    private EmbeddedPostgres postgres;
    private WireMockServer payroll;
    private Process killed;
    private RunningClockrelay survivor;

    @Test
    void anotherInstanceFinishesTheWorkOfOneKilledWithDeliveriesClaimed() throws Exception {
        String url = killWithFiveDeliveriesClaimed(Map.of(), 3);

        survivor = RunningClockrelay.start(Files.createDirectories(folder.resolve("survivor")), httpTargetOn(url, Map.of("clockrelay.lease-seconds", "3")));

        awaitTheFiveDeliveredOnce();
    }

    @Test
    void aNamedInstanceRestartedAfterAKillTakesBackItsClaimsAtOnce() throws Exception {
        // Leases of ten minutes: only taking the claims back can deliver within the test's 30 s wait. The name is as
        // long as a Kubernetes pod's may be (63 characters), as the example deployment sets it.
        String name = "clockrelay-payroll-eu-west-1-production-7f9c8d6b5d-x2k4q-canary";
        assertThat(name).hasSize(63);
        String url = killWithFiveDeliveriesClaimed(Map.of("CLOCKRELAY_INSTANCE", name), 600);

        survivor = RunningClockrelay.start(Files.createDirectories(folder.resolve("restarted")), httpTargetOn(url, Map.of(
                "clockrelay.lease-seconds", "600", "clockrelay.instance", name)));

        awaitTheFiveDeliveredOnce();
        assertThat(survivor.count("SELECT COUNT(*) FROM deliveries WHERE event_id LIKE 'evt_killed_%' AND delivered_by = ?", name)).isEqualTo(5);
    }

    /** Five webhooks accepted by an instance (its own process) whose HTTP target hangs, SIGKILLed with their deliveries claimed. */
    private String killWithFiveDeliveriesClaimed(Map<String, String> environment, int leaseSeconds) throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        String url = "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";
        payroll = new WireMockServer(options().dynamicPort());
        payroll.start();
        payroll.stubFor(post(urlEqualTo("/records")).willReturn(aResponse().withStatus(200).withFixedDelay(30_000)));
        int port = RunningClockrelay.freePort();
        Map<String, String> variables = new java.util.HashMap<>(Map.of(
                "CLOCKRELAY_DB_URL", url,
                "CLOCKRELAY_DB_USER", "postgres",
                "CLOCKRELAY_PORT", String.valueOf(port),
                "CLOCKEYE_WEBHOOK_SECRET", RunningClockrelay.CLOCKEYE_SECRET,
                "PAYROLL_DB_ENABLED", "false",
                "PAYROLL_API_ENABLED", "true",
                "PAYROLL_API_URL", "http://localhost:" + payroll.port() + "/records",
                "PAYROLL_API_SECRET", SECRET,
                "PAYROLL_API_TIMEOUT_MS", "60000"));
        variables.putAll(environment);
        killed = ClockrelayProcess.launch(folder, "killed", variables, RunningClockrelay.freePort(), "-Dclockrelay.lease-seconds=" + leaseSeconds);
        WebhookClient client = new WebhookClient(port);
        for (int i = 0; i < 5; i++) {
            assertThat(client.postClockEye(HttpTargetTest.event("evt_killed_" + i, "te_killed_" + i, "usr_killed_" + i, "2024-11-01T09:00:00Z")).body())
                    .isEqualTo("{\"status\":\"accepted\"}");
        }
        RunningClockrelay.awaitRow(url, "postgres", row -> ((Number) row.get("N")).intValue() == 5,
                "SELECT COUNT(*) AS n FROM deliveries WHERE status = 'pending' AND claim_token IS NOT NULL");
        killed.destroyForcibly().waitFor();
        payroll.resetAll();
        payroll.stubFor(post(urlEqualTo("/records")).willReturn(aResponse().withStatus(200)));
        return url;
    }

    private Map<String, String> httpTargetOn(String url, Map<String, String> more) {
        Map<String, String> settings = new java.util.HashMap<>(Map.of(
                "clockrelay.store.url", url,
                "clockrelay.store.user", "postgres",
                "clockrelay.target.payroll-db.enabled", "false",
                "clockrelay.target.payroll-api.enabled", "true",
                "clockrelay.target.payroll-api.url", "http://localhost:" + payroll.port() + "/records",
                "clockrelay.target.payroll-api.secret", SECRET));
        settings.putAll(more);
        return settings;
    }

    private void awaitTheFiveDeliveredOnce() {
        survivor.awaitRow(row -> ((Number) row.get("N")).intValue() == 5,
                "SELECT COUNT(*) AS n FROM deliveries WHERE status = 'delivered' AND event_id LIKE 'evt_killed_%'");
        List<String> delivered = payroll.getAllServeEvents().stream().map(ServeEvent::getRequest)
                .map(request -> request.getHeader("webhook-id")).sorted().toList();
        assertThat(delivered).containsExactly("evt_killed_0", "evt_killed_1", "evt_killed_2", "evt_killed_3", "evt_killed_4");
    }

    @AfterEach
    void stop() throws Exception {
        if (killed != null) {
            killed.destroyForcibly().waitFor();
        }
        if (survivor != null) {
            survivor.close();
        }
        if (payroll != null) {
            payroll.stop();
        }
        if (postgres != null) {
            postgres.close();
        }
    }
}
