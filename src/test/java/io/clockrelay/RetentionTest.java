package io.clockrelay;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Retention deletes what is old and nothing else: delivered deliveries and processed webhooks' payloads after
 * CLOCKRELAY_RETENTION_DAYS, de-duplication keys after CLOCKRELAY_DEDUPLICATION_DAYS; never what is pending, a dead
 * letter, a failed webhook or a payroll row.
 */
class RetentionTest {

    @TempDir
    static Path folder;
    static RunningClockrelay app;

    @BeforeAll
    static void start() {
        app = RunningClockrelay.start(folder, Map.of(
                "clockrelay.retention.days", "30",
                "clockrelay.retention.deduplication-days", "365",
                "clockrelay.retention.interval-ms", "300",
                "clockrelay.retention.batch-size", "7"));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void retentionDeletesWhatIsOldAndNothingElse() {
        Instant now = Instant.now();
        Timestamp fortyDaysAgo = Timestamp.from(now.minus(Duration.ofDays(40)));
        Timestamp tenDaysAgo = Timestamp.from(now.minus(Duration.ofDays(10)));
        Timestamp twoYearsAgo = Timestamp.from(now.minus(Duration.ofDays(730)));
        // 20 old processed webhooks (three batches of 7) and their deliveries, and what must stay.
        for (int i = 0; i < 20; i++) {
            inbox("evt_old_" + i, "done", fortyDaysAgo, "{\"old\":" + i + "}");
            delivery("evt_old_" + i, "delivered", fortyDaysAgo);
        }
        inbox("evt_recent", "done", tenDaysAgo, "{\"recent\":true}");
        delivery("evt_recent", "delivered", tenDaysAgo);
        inbox("evt_failed_old", "failed", fortyDaysAgo, "{\"failed\":true}");
        inbox("evt_key_old", "expired", twoYearsAgo, null);
        app.rows("INSERT INTO dead_letters (delivery_id, target, event_id, record_id, ordering_key, source, entity, event_type, record,"
                + " attempts, last_error, created_at, failed_at) VALUES (1, 'payroll-db', 'evt_dead_old', 'r', 'k', 'clockeye', 'time_entry',"
                + " 'time_entry.created', '{}', 3, 'HTTP 400', ?, ?)", fortyDaysAgo, fortyDaysAgo);

        app.awaitRow(row -> ((Number) row.get("N")).longValue() == 0,
                "SELECT COUNT(*) AS n FROM deliveries WHERE event_id LIKE 'evt_old_%'");
        app.awaitRow(row -> ((Number) row.get("N")).longValue() == 20,
                "SELECT COUNT(*) AS n FROM inbox WHERE event_id LIKE 'evt_old_%' AND status = 'expired' AND payload IS NULL");
        app.awaitRow(row -> ((Number) row.get("N")).longValue() == 0, "SELECT COUNT(*) AS n FROM inbox WHERE event_id = 'evt_key_old'");

        assertThat(app.rows("SELECT status, payload FROM inbox WHERE event_id = 'evt_recent'"))
                .containsExactly(Map.of("STATUS", "done", "PAYLOAD", "{\"recent\":true}"));
        assertThat(app.count("SELECT COUNT(*) FROM deliveries WHERE event_id = 'evt_recent'")).isEqualTo(1);
        assertThat(app.rows("SELECT status, payload FROM inbox WHERE event_id = 'evt_failed_old'"))
                .containsExactly(Map.of("STATUS", "failed", "PAYLOAD", "{\"failed\":true}"));
        assertThat(app.count("SELECT COUNT(*) FROM dead_letters WHERE event_id = 'evt_dead_old'")).isEqualTo(1);
        assertThat(app.rows("SELECT last_success_at FROM clockrelay_jobs WHERE name = 'retention'")).singleElement()
                .satisfies(row -> assertThat(row.get("LAST_SUCCESS_AT")).isNotNull());
    }

    @Test
    void aWebhookWhosePayloadIsGoneIsStillADuplicate() {
        String body = "{\"id\":\"evt_kept_key\",\"type\":\"time_entry.created\",\"created_at\":\"2024-06-01T10:00:00Z\","
                + "\"data\":{\"id\":\"te_kept\",\"user_id\":\"usr_kept\",\"start_time\":\"2024-06-01T09:00:00Z\",\"duration\":60}}";
        assertThat(app.postClockEye(body).body()).isEqualTo("{\"status\":\"accepted\"}");
        app.awaitRow("SELECT * FROM inbox WHERE event_id = 'evt_kept_key' AND status = 'done'");
        app.rows("UPDATE inbox SET processed_at = ? WHERE event_id = 'evt_kept_key'", Timestamp.from(Instant.now().minus(Duration.ofDays(31))));
        app.awaitRow("SELECT * FROM inbox WHERE event_id = 'evt_kept_key' AND status = 'expired' AND payload IS NULL");

        assertThat(app.postClockEye(body).body()).isEqualTo("{\"status\":\"duplicate\"}");
    }

    private static void inbox(String eventId, String status, Timestamp at, String payload) {
        app.rows("INSERT INTO inbox (source, event_id, event_type, received_at, payload, status, attempts, next_attempt_at, processed_at, failed_at)"
                        + " VALUES ('clockeye', ?, 'time_entry.created', ?, ?, ?, 1, ?, ?, ?)", eventId, at, payload, status, at,
                status.equals("failed") ? null : at, status.equals("failed") ? at : null);
    }

    private static void delivery(String eventId, String status, Timestamp at) {
        app.rows("INSERT INTO deliveries (target, event_id, record_id, ordering_key, source, entity, event_type, record, inbox_id, status,"
                + " attempts, created_at, next_attempt_at, delivered_at) VALUES ('payroll-db', ?, 'r', 'k', 'clockeye', 'time_entry',"
                + " 'time_entry.created', '{}', 0, ?, 1, ?, ?, ?)", eventId, status, at, at, at);
    }
}
