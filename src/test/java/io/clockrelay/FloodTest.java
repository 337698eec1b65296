package io.clockrelay;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * clockrelay as shipped (its own process, jvm.options: an 80 MB heap that ends the process on OutOfMemoryError, the
 * default limits) under a flood of large forged webhooks: bodies just under the body limit with well-formed but
 * wrong signatures (so each must be read before it can be refused), bodies announced far over the limit, and bodies
 * in chunks past it, from many connections at once; while signed webhooks keep coming, as a vendor sends them
 * (again after a 503). The process must live, answer every forged request, accept every valid one and keep its
 * health endpoint answering. Prints the figures: the flood's size, valid webhooks per second, peak resident memory.
 */
class FloodTest {

    static final int CONNECTIONS = 200;
    static final int BODY_BYTES = 250_000;
    static final Duration FLOOD = Duration.ofSeconds(20);
    static final int VALID_SENDERS = 2;

    @TempDir
    static Path folder;
    static Process process;
    static int port;
    static int managementPort;

    @BeforeAll
    static void start() throws IOException {
        port = RunningClockrelay.freePort();
        managementPort = RunningClockrelay.freePort();
        // The JVM options clockrelay ships with, read from the file the README runs it with.
        String[] jvmOptions = Files.readAllLines(Path.of("jvm.options")).stream().map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#")).toArray(String[]::new);
        process = ClockrelayProcess.launch(folder, "flood", Map.of(
                "CLOCKRELAY_PORT", String.valueOf(port),
                "CLOCKRELAY_DB_URL", "jdbc:h2:file:" + folder.resolve("store").toAbsolutePath() + ";WRITE_DELAY=0",
                "CLOCKEYE_WEBHOOK_SECRET", RunningClockrelay.CLOCKEYE_SECRET,
                "MALLOC_ARENA_MAX", "2"), managementPort, jvmOptions);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly().waitFor();
        }
    }

    @Test
    void aFloodOfLargeForgedBodiesNeitherEndsTheProcessNorStopsValidWebhooks() throws Exception {
        Instant end = Instant.now().plus(FLOOD);
        Map<Integer, LongAdder> forged = new ConcurrentHashMap<>();
        AtomicInteger accepted = new AtomicInteger();
        List<String> validFailures = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Integer> health = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService threads = Executors.newFixedThreadPool(CONNECTIONS + VALID_SENDERS + 1);
        List<Future<?>> work = new ArrayList<>();
        Instant started = Instant.now();
        for (int i = 0; i < CONNECTIONS; i++) {
            int kind = i % 10;
            work.add(threads.submit(() -> {
                while (Instant.now().isBefore(end)) {
                    forged.computeIfAbsent(forgedRequest(kind), status -> new LongAdder()).increment();
                }
            }));
        }
        for (int i = 0; i < VALID_SENDERS; i++) {
            int sender = i;
            work.add(threads.submit(() -> {
                for (int n = 0; Instant.now().isBefore(end); n++) {
                    String failure = sendUntilAccepted(HttpTargetTest.event("evt_flood_" + sender + "_" + n, "te_flood_" + sender + "_" + n,
                            "usr_flood_" + sender, "2024-05-01T09:00:00Z"));
                    if (failure == null) {
                        accepted.incrementAndGet();
                    } else {
                        validFailures.add(failure);
                    }
                }
            }));
        }
        work.add(threads.submit(() -> {
            while (Instant.now().isBefore(end)) {
                try {
                    health.add(new WebhookClient(managementPort).get("/observe/health").statusCode());
                } catch (RuntimeException noAnswer) {
                    health.add(-1);
                }
                RunningClockrelay.pause();
            }
        }));
        threads.shutdown();
        assertThat(threads.awaitTermination(FLOOD.plusSeconds(60).toSeconds(), TimeUnit.SECONDS)).as("every sender finished").isTrue();
        for (Future<?> future : work) {
            future.get();
        }
        double seconds = Duration.between(started, Instant.now()).toMillis() / 1000.0;

        String peak = peakResidentMemory();
        System.out.printf("flood: %d connections x %d bytes for %.0f s: forged answers %s; %d valid webhooks accepted, %.1f/s; %s%n",
                CONNECTIONS, BODY_BYTES, seconds, forged, accepted.get(), accepted.get() / seconds, peak);
        assertThat(process.isAlive()).as("the process lives:\n" + tail()).isTrue();
        assertThat(forged.keySet()).as("every forged request answered, and only so").isSubsetOf(401, 413, 503).contains(401, 413);
        assertThat(validFailures).as("every valid webhook accepted").isEmpty();
        assertThat(accepted.get()).as("valid webhooks accepted during the flood").isPositive();
        assertThat(health).as("health answered during the flood").isNotEmpty().containsOnly(200);
        assertThat(new WebhookClient(managementPort).get("/observe/health").statusCode()).isEqualTo(200);
        assertThat(new WebhookClient(managementPort).get("/observe/metrics").body())
                .contains("clockrelay_webhooks_total{outcome=\"accepted\",reason=\"none\",source=\"clockeye\"} " + accepted.get() + ".0");
    }

    /**
     * One forged request on a connection of its own, of one of three kinds: a body just under the limit (0-7), one
     * announced at 20 MB (8), one in chunks past the limit (9). Returns the status, or -1 when there was no answer.
     */
    private static int forgedRequest(int kind) {
        String declared = kind == 9 ? "Transfer-Encoding: chunked" : "Content-Length: " + (kind == 8 ? 20_000_000 : BODY_BYTES);
        String head = "POST /webhooks/clockeye HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "X-ClockEye-Signature: sha256=" + "ab".repeat(32) + "\r\n" + declared + "\r\n\r\n";
        byte[] body = kind == 9 ? chunks(BODY_BYTES * 2) : "x".repeat(kind == 8 ? 1_000_000 : BODY_BYTES).getBytes(StandardCharsets.US_ASCII);
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout((int) RunningClockrelay.WAIT.toMillis());
            try {
                socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().write(body);
            } catch (IOException refusedBeforeTheBody) {
                // answered (and closed) before the whole body was taken: the answer is there to read
            }
            String status = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            return status.startsWith("HTTP/1.1 ") ? Integer.parseInt(status.substring(9, 12)) : -1;
        } catch (IOException | NumberFormatException noAnswer) {
            return -1;
        }
    }

    private static byte[] chunks(int bytes) {
        String chunk = "1000\r\n" + "x".repeat(4096) + "\r\n";
        return (chunk.repeat(bytes / 4096) + "0\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** As a vendor sends: again after each 503 (here at once), until accepted. Null when it was, else what went wrong. */
    private static String sendUntilAccepted(String body) {
        WebhookClient client = new WebhookClient(port);
        Instant deadline = Instant.now().plus(RunningClockrelay.WAIT);
        int status = 0;
        while (Instant.now().isBefore(deadline)) {
            try {
                status = client.postClockEye(body).statusCode();
            } catch (RuntimeException noAnswer) {
                return "no answer: " + noAnswer.getMessage();
            }
            if (status == 200) {
                return null;
            }
            if (status != 503) {
                return "answered " + status;
            }
        }
        return "not accepted within " + RunningClockrelay.WAIT.toSeconds() + " s: last " + status;
    }

    /** The process's VmHWM (its peak resident memory so far), as /proc shows it. */
    private static String peakResidentMemory() {
        try {
            return Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status")).stream()
                    .filter(line -> line.startsWith("VmHWM")).findFirst().orElse("VmHWM: ?").replaceAll("\\s+", " ");
        } catch (IOException ended) {
            return "VmHWM: none, the process has ended";
        }
    }

    private static String tail() {
        try {
            List<String> log = Files.readAllLines(folder.resolve("flood.log"));
            return String.join("\n", log.subList(Math.max(0, log.size() - 20), log.size()));
        } catch (IOException e) {
            return e.toString();
        }
    }
}
