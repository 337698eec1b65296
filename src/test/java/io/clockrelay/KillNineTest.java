package io.clockrelay;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * clockrelay as its own process on the shipped kind of store (an H2 file, WRITE_DELAY=0, nothing else opening it),
 * SIGKILLed while 32 senders post webhooks without a pause, so that the kill falls among group commits: every
 * webhook answered 200 accepted is in the H2 file when the process is dead, and after a restart each is in the
 * payroll table once.
 */
class KillNineTest {

    static final int SENDERS = 32;
    /** Acknowledged webhooks before the kill: enough for many groups, few enough to process in seconds after it. */
    static final int ACKNOWLEDGED_BEFORE_KILL = 500;
    /**
     * A long description (ClockEye's entries have one): a group of such webhooks takes a few milliseconds to commit,
     * longer than an answer takes to arrive, so that an answer sent ahead of its commit would be caught by the kill.
     */
    static final String DESCRIPTION = "Kill -9 during group commit. ".repeat(1500);
    @TempDir
    Path folder;
    private final List<Process> processes = new ArrayList<>();

    @Test
    void everyWebhookAcknowledgedBeforeASigkillAmongConcurrentSendersIsStoredAndThenDeliveredOnce() throws Exception {
        String storeUrl = shippedStoreUrl(folder.resolve("store"));
        int port = RunningClockrelay.freePort();
        int managementPort = RunningClockrelay.freePort();
        Process first = launch("first", storeUrl, port, managementPort);

        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        Queue<String> otherAnswers = new ConcurrentLinkedQueue<>();
        Queue<String> cutOff = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
        List<Future<?>> lanes = new ArrayList<>();
        Instant deadline = Instant.now().plus(RunningClockrelay.WAIT);
        for (int lane = 0; lane < SENDERS; lane++) {
            int sender = lane;
            lanes.add(senders.submit(() -> {
                WebhookClient client = new WebhookClient(port);
                // No request starts after the stop, set with the kill: a request without an answer was in flight.
                for (int i = 0; !stop.get() && Instant.now().isBefore(deadline); i++) {
                    String id = "evt_kill_" + sender + "_" + i;
                    try {
                        HttpResponse<String> response = client.postClockEye(event(id, sender));
                        if (response.statusCode() == 200 && response.body().equals("{\"status\":\"accepted\"}")) {
                            acknowledged.add(id);
                            // The kill follows an answer at once: the moment an answer sent ahead of its commit would be lost.
                            if (acknowledged.size() >= ACKNOWLEDGED_BEFORE_KILL && !stop.getAndSet(true)) {
                                first.destroyForcibly();
                            }
                        } else {
                            otherAnswers.add(id + ": " + response.statusCode() + " " + response.body());
                        }
                    } catch (RuntimeException noAnswer) {
                        cutOff.add(id + ": " + noAnswer);
                    }
                }
            }));
        }
        for (Future<?> lane : lanes) {
            lane.get(60, TimeUnit.SECONDS);
        }
        senders.shutdown();
        if (!stop.getAndSet(true)) {
            first.destroyForcibly(); // the threshold was not reached in time: the assertion below says so
        }
        first.waitFor();
        assertThat(first.exitValue()).as("killed by SIGKILL").isEqualTo(137);
        assertThat(acknowledged).as("acknowledged before the kill (other answers: %s)", otherAnswers).hasSizeGreaterThanOrEqualTo(ACKNOWLEDGED_BEFORE_KILL);
        assertThat(cutOff).as("requests the kill cut off in flight").isNotEmpty();

        // The process is dead: the file is opened as clockrelay opens it, by this JVM alone.
        Set<String> stored = new HashSet<>();
        RunningClockrelay.query(storeUrl, "sa", "SELECT event_id FROM inbox WHERE source = 'clockeye'")
                .forEach(row -> stored.add((String) row.get("EVENT_ID")));
        assertThat(missing(acknowledged, stored)).as("acknowledged webhooks missing from the inbox after SIGKILL, of " + acknowledged.size())
                .isEmpty();

        Process second = launch("second", storeUrl, port, managementPort);
        awaitNothingPending(managementPort);
        second.destroy();
        assertThat(second.waitFor(60, TimeUnit.SECONDS)).as("stopped by SIGTERM").isTrue();

        Map<String, Long> payrollRows = new HashMap<>();
        RunningClockrelay.query(storeUrl, "sa", "SELECT last_event_id, COUNT(*) AS n FROM payroll_time_records GROUP BY last_event_id")
                .forEach(row -> payrollRows.put((String) row.get("LAST_EVENT_ID"), ((Number) row.get("N")).longValue()));
        assertThat(missing(acknowledged, payrollRows.keySet())).as("acknowledged webhooks without a payroll row after the restart").isEmpty();
        assertThat(payrollRows).as("payroll rows per event").allSatisfy((event, rows) -> assertThat(rows).isEqualTo(1L));
        assertThat(RunningClockrelay.query(storeUrl, "sa", "SELECT COUNT(*) AS n FROM deliveries WHERE status <> 'delivered'").get(0))
                .containsEntry("N", 0L);
    }

    /** The shipped default store URL (application.properties), its file moved to {@code file}: the form an operator runs. */
    private static String shippedStoreUrl(Path file) throws IOException {
        Properties shipped = new Properties();
        try (var in = KillNineTest.class.getResourceAsStream("/application.properties")) {
            shipped.load(in);
        }
        Matcher url = Pattern.compile("\\{\\{env:CLOCKRELAY_DB_URL:(jdbc:h2:file:)\\./data/clockrelay(;[^}]*)?}}")
                .matcher(shipped.getProperty("clockrelay.store.url"));
        assertThat(url.matches()).as("the shipped store is an H2 file: " + shipped.getProperty("clockrelay.store.url")).isTrue();
        return url.group(1) + file.toAbsolutePath() + (url.group(2) == null ? "" : url.group(2));
    }

    private static Set<String> missing(Set<String> acknowledged, Set<String> found) {
        Set<String> missing = new HashSet<>(acknowledged);
        missing.removeAll(found);
        return missing;
    }

    private static String event(String id, int sender) {
        return "{\"id\":\"" + id + "\",\"type\":\"time_entry.created\",\"created_at\":\"2024-04-01T10:00:00Z\",\"data\":{\"id\":\"te_" + id
                + "\",\"user_id\":\"usr_kill_" + sender + "\",\"start_time\":\"2024-04-01T09:00:00Z\",\"duration\":1800,"
                + "\"description\":\"" + DESCRIPTION + "\"}}";
    }

    /** Until the backlog gauges (all instances' view of the store) show no webhook and no delivery waiting; 30 s at most. */
    private static void awaitNothingPending(int managementPort) {
        WebhookClient management = new WebhookClient(managementPort);
        Instant deadline = Instant.now().plus(RunningClockrelay.WAIT);
        String page = "";
        while (Instant.now().isBefore(deadline)) {
            page = management.get("/observe/metrics").body();
            if (RunningClockrelay.metric(page, "clockrelay_inbox_pending", Map.of()).orElse(-1) == 0
                    && RunningClockrelay.metric(page, "clockrelay_outbox_pending", Map.of("target", "payroll-db")).orElse(-1) == 0) {
                return;
            }
            RunningClockrelay.pause();
        }
        throw new AssertionError("still pending after " + RunningClockrelay.WAIT.toSeconds() + " s:\n"
                + page.lines().filter(line -> line.startsWith("clockrelay_inbox_pending") || line.startsWith("clockrelay_outbox_pending"))
                .reduce("", (a, b) -> a + b + "\n"));
    }

    private Process launch(String name, String storeUrl, int port, int managementPort) throws IOException {
        Process process = ClockrelayProcess.launch(folder, name, Map.of(
                "CLOCKRELAY_DB_URL", storeUrl,
                "CLOCKRELAY_PORT", String.valueOf(port),
                "CLOCKEYE_WEBHOOK_SECRET", RunningClockrelay.CLOCKEYE_SECRET,
                // The dead instance's claims are taken over after a lease: a short one keeps the test short.
                "CLOCKRELAY_LEASE_SECONDS", "3"), managementPort);
        processes.add(process);
        return process;
    }

    @AfterEach
    void stopAll() throws InterruptedException {
        for (Process process : processes) {
            process.destroyForcibly().waitFor();
        }
    }
}
