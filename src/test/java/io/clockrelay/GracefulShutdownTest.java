package io.clockrelay;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGTERM while a slow payroll endpoint is being called and webhooks keep arriving: the call in flight finishes and
 * is not repeated, new webhooks get a JSON 503, and after the restart every webhook answered 200 reaches the
 * endpoint exactly once, without waiting for a lease to expire.
 */
class GracefulShutdownTest {

    @TempDir
    Path folder;
    private final WireMockServer payroll = new WireMockServer(options().dynamicPort());
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        processes.forEach(Process::destroyForcibly);
        payroll.stop();
        // The processes' logs outlive the temporary folder, for a failure's investigation.
        Path logs = Files.createDirectories(Path.of("target", "process-logs"));
        for (String name : List.of("first", "second")) {
            if (Files.exists(folder.resolve(name + ".log"))) {
                Files.copy(folder.resolve(name + ".log"), logs.resolve("GracefulShutdownTest-" + name + ".log"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    @Test
    void sigtermFinishesWhatIsInFlightRefusesNewWebhooksAndLosesNothing() throws Exception {
        payroll.start();
        payroll.stubFor(post(urlEqualTo("/payroll")).willReturn(aResponse().withStatus(204).withFixedDelay(1500)));
        String storeUrl = "jdbc:h2:file:" + folder.resolve("store").toAbsolutePath() + ";WRITE_DELAY=0";
        int port = RunningClockrelay.freePort();
        Process first = launch("first", storeUrl, port);
        WebhookClient client = new WebhookClient(port);
        List<String> accepted = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            assertThat(client.postClockEye(event("evt_term_" + i, i)).statusCode()).isEqualTo(200);
            accepted.add("evt_term_" + i);
        }
        awaitCalls(1);

        ConcurrentLinkedQueue<HttpResponse<String>> duringShutdown = new ConcurrentLinkedQueue<>();
        CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
            for (int i = 100; first.isAlive(); i++) {
                try {
                    HttpResponse<String> response = client.postClockEye(event("evt_term_" + i, i));
                    duringShutdown.add(response);
                    if (response.statusCode() == 200) {
                        synchronized (accepted) {
                            accepted.add("evt_term_" + i);
                        }
                    }
                } catch (RuntimeException refused) {
                    return; // the port is closed: the process is on its way out
                }
            }
        });
        first.destroy();
        assertThat(first.waitFor(60, TimeUnit.SECONDS)).as("stopped within the shutdown timeout").isTrue();
        sender.get(30, TimeUnit.SECONDS);
        String log = Files.readString(folder.resolve("first.log"));
        assertThat(log).contains("webhook rejected source=clockeye status=503 reason=shutting-down",
                        "delivery delivered target=payroll-api source=clockeye eventId=evt_term_0")
                .contains("shutting down: new webhooks are answered 503", "stopped: every accepted webhook is in the store")
                .doesNotContain("work still in flight");
        assertThat(duringShutdown).extracting(HttpResponse::statusCode).isSubsetOf(200, 503);
        assertThat(duringShutdown).filteredOn(response -> response.statusCode() == 503).isNotEmpty()
                .allSatisfy(response -> assertThat(response.body()).contains("clockrelay is shutting down"));
        int callsBeforeRestart = payroll.getAllServeEvents().size();
        assertThat(callsBeforeRestart).as("the call in flight at SIGTERM finished; no further one started").isBetween(1, 2);

        payroll.stubFor(post(urlEqualTo("/payroll")).willReturn(aResponse().withStatus(204)));
        launch("second", storeUrl, port);
        Instant deadline = Instant.now().plus(RunningClockrelay.WAIT);
        while (callsPerEvent().size() < accepted.size() && Instant.now().isBefore(deadline)) {
            RunningClockrelay.pause();
        }
        Map<String, Long> calls = callsPerEvent();
        assertThat(calls.keySet()).as("every accepted webhook reached the endpoint, released claims without a lease wait")
                .containsExactlyInAnyOrderElementsOf(accepted);
        assertThat(calls).allSatisfy((event, count) -> assertThat(count).as(event).isEqualTo(1L));
    }

    private Map<String, Long> callsPerEvent() {
        return payroll.getAllServeEvents().stream().map(ServeEvent::getRequest)
                .map(request -> request.getHeader("webhook-id"))
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    private void awaitCalls(int count) {
        Instant deadline = Instant.now().plus(RunningClockrelay.WAIT);
        while (payroll.getAllServeEvents().size() < count && Instant.now().isBefore(deadline)) {
            RunningClockrelay.pause();
        }
        assertThat(payroll.getAllServeEvents()).hasSizeGreaterThanOrEqualTo(count);
    }

    private static String event(String id, int user) {
        return HttpTargetTest.event(id, "te_" + id, "usr_term_" + user, "2024-04-01T09:00:00Z");
    }

    private Process launch(String name, String storeUrl, int port) throws Exception {
        Process process = ClockrelayProcess.launch(folder, name, Map.of(
                "CLOCKRELAY_DB_URL", storeUrl,
                "CLOCKRELAY_PORT", String.valueOf(port),
                "CLOCKEYE_WEBHOOK_SECRET", RunningClockrelay.CLOCKEYE_SECRET,
                "PAYROLL_DB_ENABLED", "false",
                "PAYROLL_API_ENABLED", "true",
                "PAYROLL_API_URL", "http://localhost:" + payroll.port() + "/payroll",
                "PAYROLL_API_SECRET", HttpTargetTest.OLD_SECRET), RunningClockrelay.freePort());
        processes.add(process);
        return process;
    }
}
