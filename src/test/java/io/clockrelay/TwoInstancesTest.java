package io.clockrelay;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two clockrelay instances (two Camel contexts) sharing one PostgreSQL store, each receiving half of 2,000
 * webhooks: every (record, target) is delivered exactly once, and both instances deliver. The "receipts" target
 * appends a row per delivery naming the instance that made it, so a double delivery, or one instance doing all the
 * work, would show; the deliveries table's delivered_by must say the same.
 */
class TwoInstancesTest {

    static final int WEBHOOKS = 2000;
    @TempDir
    static Path folder;
    static EmbeddedPostgres postgres;
    static String url;
    static RunningClockrelay first;
    static RunningClockrelay second;

    @BeforeAll
    static void start() throws IOException {
        postgres = EmbeddedPostgres.builder().start();
        url = "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";
        RunningClockrelay.query(url, "postgres", "CREATE TABLE receipts (seq BIGSERIAL PRIMARY KEY, event_id VARCHAR(400), record_id VARCHAR(400), instance VARCHAR(64))");
        Path routes = Files.createDirectories(folder.resolve("routes"));
        Files.writeString(routes.resolve("receipts.camel.yaml"), """
                - route:
                    id: target-receipts
                    from:
                      uri: direct:target-receipts
                      steps:
                        - setBody:
                            method:
                              ref: recordColumns
                              method: columnsOfAll
                        - to:
                            uri: "sql:INSERT INTO receipts (event_id, record_id, instance) VALUES (:#eventId, :#recordId, '{{clockrelay.instance}}')"
                            parameters:
                              dataSource: "#storeDataSource"
                              batch: true
                """);
        Map<String, String> shared = new HashMap<>(Map.of(
                "clockrelay.store.url", url,
                "clockrelay.store.user", "postgres",
                "clockrelay.routes.dir", routes.toString(),
                "clockrelay.target.receipts.enabled", "true",
                // Batches and single deliveries alike: delivered_by is set on both paths.
                "clockrelay.target.receipts.batch", "true"));
        shared.put("clockrelay.instance", "first");
        shared.put("clockrelay.deliver.loops", "1");
        first = RunningClockrelay.start(Files.createDirectories(folder.resolve("first")), shared);
        // The second runs two claim loops side by side (CLOCKRELAY_DELIVER_LOOPS): three claimers in all.
        shared.put("clockrelay.instance", "second");
        shared.put("clockrelay.deliver.loops", "2");
        second = RunningClockrelay.start(Files.createDirectories(folder.resolve("second")), shared);
    }

    @AfterAll
    static void stop() throws IOException {
        first.close();
        second.close();
        postgres.close();
    }

    @Test
    void thousandsOfRecordsAreDeliveredExactlyOnceBetweenTwoInstances() throws Exception {
        ExecutorService senders = Executors.newFixedThreadPool(4);
        Future<?>[] sent = new Future<?>[4];
        for (int lane = 0; lane < 4; lane++) {
            int from = lane;
            RunningClockrelay instance = lane % 2 == 0 ? first : second;
            sent[lane] = senders.submit(() -> {
                for (int i = from; i < WEBHOOKS; i += 4) {
                    String body = "{\"id\":\"evt_two_" + i + "\",\"type\":\"time_entry.created\",\"created_at\":\"2024-10-01T10:00:00Z\","
                            + "\"data\":{\"id\":\"te_two_" + i + "\",\"user_id\":\"usr_" + (i % 97) + "\",\"start_time\":\"2024-10-01T09:00:00Z\",\"duration\":60}}";
                    assertThat(instance.postClockEye(body).body()).isEqualTo("{\"status\":\"accepted\"}");
                }
                return null;
            });
        }
        for (Future<?> lane : sent) {
            lane.get();
        }
        senders.shutdown();

        first.awaitRow(row -> ((Number) row.get("N")).intValue() == 2 * WEBHOOKS,
                "SELECT COUNT(*) AS n FROM deliveries WHERE status = 'delivered'");

        Map<String, Object> receipts = first.rows("SELECT COUNT(*) AS deliveries, COUNT(DISTINCT event_id) AS events FROM receipts").get(0);
        assertThat(((Number) receipts.get("DELIVERIES")).intValue()).as("no record delivered twice").isEqualTo(WEBHOOKS);
        assertThat(((Number) receipts.get("EVENTS")).intValue()).isEqualTo(WEBHOOKS);
        assertThat(first.count("SELECT COUNT(*) FROM (SELECT event_id FROM receipts GROUP BY event_id HAVING COUNT(DISTINCT instance) > 1) twice"))
                .as("records delivered by both instances").isZero();
        assertThat(deliveriesPerInstance("SELECT instance AS name, COUNT(*) AS n FROM receipts GROUP BY instance"))
                .as("receipts per instance").containsOnlyKeys("first", "second").allSatisfy((instance, n) -> assertThat(n).isPositive());
        for (String target : List.of("receipts", "payroll-db")) {
            assertThat(deliveriesPerInstance("SELECT delivered_by AS name, COUNT(*) AS n FROM deliveries WHERE target = ? GROUP BY delivered_by", target))
                    .as("deliveries to " + target + " per instance (delivered_by)").containsOnlyKeys("first", "second")
                    .allSatisfy((instance, n) -> assertThat(n).isPositive());
        }
        assertThat(first.count("SELECT COUNT(*) FROM deliveries d JOIN receipts r ON r.event_id = d.event_id"
                + " WHERE d.target = 'receipts' AND d.delivered_by <> r.instance")).as("delivered_by names the instance that delivered").isZero();
        assertThat(first.count("SELECT COUNT(*) FROM payroll_time_records")).isEqualTo(WEBHOOKS);
        assertThat(first.count("SELECT COUNT(*) FROM dead_letters")).isZero();
        assertThat(first.count("SELECT COUNT(*) FROM inbox WHERE status <> 'done'")).isZero();
    }

    private static Map<String, Long> deliveriesPerInstance(String sql, Object... parameters) {
        Map<String, Long> counts = new TreeMap<>();
        for (Map<String, Object> row : first.rows(sql, parameters)) {
            counts.put(String.valueOf(row.get("NAME")), ((Number) row.get("N")).longValue());
        }
        return counts;
    }
}
