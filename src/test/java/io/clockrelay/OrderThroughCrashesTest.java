package io.clockrelay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many employees, each sending its webhooks one after another (the next only once the last is acknowledged, as a
 * vendor does) to two instances behind one address, while one instance, then the other, is SIGKILLed with webhooks
 * claimed, and started again: every acknowledged webhook reaches the HTTP target, each employee's in the order they
 * were sent (the surviving instance never maps a later webhook ahead of one the dead instance held), and everything
 * is delivered within seconds of the last send, not after a minute's lease.
 */
class OrderThroughCrashesTest {

    static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    static final int EMPLOYEES = 24;
    static final int EACH = 30;
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path folder;
    private EmbeddedPostgres postgres;
    private WireMockServer payroll;
    private final List<Process> processes = new ArrayList<>();

    @Test
    void eachEmployeesRecordsArriveInOrderThroughKillsOfEitherInstance() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        String store = "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";
        payroll = new WireMockServer(options().dynamicPort().containerThreads(40));
        payroll.start();
        // A little slow, so that deliveries are in flight when a kill comes.
        payroll.stubFor(post(urlEqualTo("/records")).willReturn(aResponse().withStatus(200).withFixedDelay(5)));
        int[] ports = {RunningClockrelay.freePort(), RunningClockrelay.freePort()};
        int[] managementPorts = {RunningClockrelay.freePort(), RunningClockrelay.freePort()};
        Process[] running = {launch("instance-0-run-0", store, ports[0], managementPorts[0]),
                launch("instance-1-run-0", store, ports[1], managementPorts[1])};

        WebhookClient[] clients = {new WebhookClient(ports[0]), new WebhookClient(ports[1])};
        AtomicReference<Instant> lastAcknowledged = new AtomicReference<>();
        AtomicInteger acknowledged = new AtomicInteger();
        ExecutorService senders = Executors.newFixedThreadPool(EMPLOYEES);
        List<Future<?>> sending = new ArrayList<>();
        for (int e = 0; e < EMPLOYEES; e++) {
            int employee = e;
            sending.add(senders.submit(() -> {
                for (int seq = 0; seq < EACH; seq++) {
                    String body = event(employee, seq);
                    // A load balancer in front of both; a vendor's retry: the same webhook again until acknowledged.
                    for (int attempt = employee + seq; ; attempt++) {
                        try {
                            if (clients[attempt % 2].postClockEye(body).statusCode() == 200) {
                                break;
                            }
                        } catch (RuntimeException down) {
                            // killed or still starting: the other instance next
                        }
                        RunningClockrelay.pause();
                    }
                    lastAcknowledged.set(Instant.now());
                    acknowledged.incrementAndGet();
                    // An employee's next clock event comes a little later.
                    Thread.sleep(100);
                }
                return null;
            }));
        }

        int progress = 0;
        for (int victim = 0; victim < 2; victim++) {
            // A third of the webhooks further, while this instance holds inbox rows or deliveries (its claim tokens
            // name its process id) and the other instance goes on working. (A process claim lasts milliseconds; a
            // delivery claim to the stand-in, a few times longer: either is what a crash must not lose or reorder.)
            progress += EMPLOYEES * EACH / 3;
            Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
            while (acknowledged.get() < progress) {
                assertThat(Instant.now()).as("%s webhooks acknowledged in time", progress).isBefore(deadline);
                RunningClockrelay.pause();
            }
            String holder = running[victim].pid() + "@%";
            while (((Number) RunningClockrelay.query(store, "postgres",
                    "SELECT (SELECT COUNT(*) FROM inbox WHERE status = 'pending' AND claim_token LIKE ?)"
                            + " + (SELECT COUNT(*) FROM deliveries WHERE status = 'pending' AND claim_token LIKE ?) AS n", holder, holder)
                    .get(0).get("N")).longValue() == 0) {
                assertThat(Instant.now()).as("instance %s claims inbox rows or deliveries in time", victim).isBefore(deadline);
                Thread.sleep(2);
            }
            running[victim].destroyForcibly().waitFor();
            assertThat(running[victim].exitValue()).as("killed by SIGKILL").isEqualTo(137);
            running[victim] = launch("instance-" + victim + "-run-1", store, ports[victim], managementPorts[victim]);
        }
        for (Future<?> sender : sending) {
            sender.get(5, TimeUnit.MINUTES);
        }
        senders.shutdown();

        // Everything delivered within 30 s of the last acknowledgement (the leases of the killed are 10 s).
        Instant deadline = lastAcknowledged.get().plusSeconds(30);
        while (distinctDelivered() < EMPLOYEES * EACH && Instant.now().isBefore(deadline)) {
            RunningClockrelay.pause();
        }
        Duration recovery = Duration.between(lastAcknowledged.get(), Instant.now());
        assertThat(distinctDelivered()).as("every acknowledged webhook delivered within 30 s of the last send").isEqualTo(EMPLOYEES * EACH);
        System.out.println("OrderThroughCrashesTest: all " + EMPLOYEES * EACH + " delivered " + recovery.toMillis() + " ms after the last acknowledgement");

        Map<String, List<Integer>> arrivals = new HashMap<>();
        List<ServeEvent> calls = new ArrayList<>(payroll.getAllServeEvents());
        calls.sort(Comparator.comparing(call -> call.getRequest().getLoggedDate()));
        for (ServeEvent call : calls) {
            JsonNode record = JSON.readTree(call.getRequest().getBodyAsString());
            arrivals.computeIfAbsent(record.get("userId").asText(), user -> new ArrayList<>()).add(record.get("attributes").get("seq").asInt());
        }
        assertThat(arrivals).hasSize(EMPLOYEES);
        arrivals.forEach((employee, sequence) -> {
            // A delivery repeated after a kill (the target had it, the kill came before it was marked) may arrive
            // twice in a row; nothing of an employee ever arrives after a later record of theirs.
            for (int i = 1; i < sequence.size(); i++) {
                assertThat(sequence.get(i)).as("%s received %s", employee, sequence).isGreaterThanOrEqualTo(sequence.get(i - 1));
            }
            assertThat(sequence.stream().distinct().toList()).as(employee).hasSize(EACH);
        });
    }

    private Process launch(String name, String store, int port, int managementPort) throws IOException {
        Process process = ClockrelayProcess.launch(folder, name, Map.of(
                // A target whose filter takes 10 ms a record: the process stage holds each claim long enough to be killed holding it.
                "CLOCKRELAY_ROUTES_DIR", Path.of("src/test/resources/routes-slow-filter").toAbsolutePath().toString(),
                "CLOCKRELAY_DB_URL", store,
                "CLOCKRELAY_DB_USER", "postgres",
                "CLOCKRELAY_PORT", String.valueOf(port),
                "CLOCKEYE_WEBHOOK_SECRET", RunningClockrelay.CLOCKEYE_SECRET,
                "PAYROLL_DB_ENABLED", "false",
                "PAYROLL_API_ENABLED", "true",
                "PAYROLL_API_URL", "http://localhost:" + payroll.port() + "/records",
                "PAYROLL_API_SECRET", SECRET), managementPort);
        processes.add(process);
        return process;
    }

    private long distinctDelivered() {
        return payroll.getAllServeEvents().stream().map(call -> call.getRequest().getHeader("webhook-id")).distinct().count();
    }

    private static String event(int employee, int seq) {
        return "{\"id\":\"evt_order_" + employee + "_" + seq + "\",\"type\":\"time_entry.created\",\"created_at\":\"2024-07-01T10:00:00Z\","
                + "\"data\":{\"id\":\"te_order_" + employee + "_" + seq + "\",\"user_id\":\"usr_order_" + employee + "\","
                + "\"start_time\":\"2024-07-01T09:00:00Z\",\"duration\":60,\"seq\":" + seq + "}}";
    }

    @AfterEach
    void stop() throws Exception {
        // The instances' own logs, for a failure on CI.
        java.nio.file.Files.createDirectories(Path.of("target/order-logs"));
        try (var logs = java.nio.file.Files.list(folder)) {
            for (Path log : logs.filter(file -> file.toString().endsWith(".log")).toList()) {
                java.nio.file.Files.copy(log, Path.of("target/order-logs").resolve(log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        for (Process process : processes) {
            process.destroyForcibly().waitFor();
        }
        if (payroll != null) {
            payroll.stop();
        }
        if (postgres != null) {
            postgres.close();
        }
    }
}
