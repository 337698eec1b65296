package io.clockrelay;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What the deliver stage does when the payroll database refuses a record: retry what may pass later, dead-letter what never will. */
class PayrollDeliveryFailuresTest {

    @TempDir
    static Path folder;
    static RunningClockrelay app;

    @BeforeAll
    static void start() {
        app = RunningClockrelay.start(folder, Map.of(
                "clockrelay.target.payroll-db.retry.initial-delay-ms", "200",
                "clockrelay.target.payroll-db.retry.max-delay-ms", "400"));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void whileThePayrollTableIsMissingDeliveriesAreRetriedAndArriveWhenItIsBack() {
        app.rows("ALTER TABLE payroll_time_records RENAME TO payroll_time_records_away");
        try {
            assertThat(app.postClockEye(event("evt_retry", "te_retry", "usr_retry")).statusCode()).isEqualTo(200);
            app.awaitRow(row -> ((Number) row.get("ATTEMPTS")).intValue() >= 2,
                    "SELECT attempts, last_error FROM deliveries WHERE event_id = 'evt_retry' AND status = 'pending'");
        } finally {
            app.rows("ALTER TABLE payroll_time_records_away RENAME TO payroll_time_records");
        }

        app.awaitRow("SELECT * FROM payroll_time_records WHERE last_event_id = 'evt_retry'");
        Map<String, Object> delivery = app.rows("SELECT status, attempts FROM deliveries WHERE event_id = 'evt_retry'").get(0);
        assertThat(delivery.get("STATUS")).isEqualTo("delivered");
        assertThat(((Number) delivery.get("ATTEMPTS")).intValue()).isGreaterThanOrEqualTo(3);
        assertThat(app.count("SELECT COUNT(*) FROM dead_letters WHERE event_id = 'evt_retry'")).isZero();
    }

    @Test
    void aRecordThePayrollTableCanNeverHoldIsDeadLetteredWithTheReasonAndDoesNotBlockTheNext() {
        // A payroll schema of the integration engineer's own, narrower than clockrelay's records (an id over 255
        // characters clockrelay itself sets aside before delivery: FailedWebhooksTest).
        app.rows("ALTER TABLE payroll_time_records ALTER COLUMN entity_id VARCHAR(40)");
        String tooLongEntityId = "te_" + "x".repeat(60);
        assertThat(app.postClockEye(event("evt_never", tooLongEntityId, "usr_blocked")).statusCode()).isEqualTo(200);
        assertThat(app.postClockEye(event("evt_after", "te_after", "usr_blocked")).statusCode()).isEqualTo(200);

        Map<String, Object> dead = app.awaitRow("SELECT * FROM dead_letters WHERE event_id = 'evt_never'");
        assertThat(dead).containsEntry("TARGET", "payroll-db").containsEntry("ATTEMPTS", 1);
        assertThat((String) dead.get("LAST_ERROR")).startsWith("SQL 22001");
        assertThat((String) dead.get("RECORD")).contains(tooLongEntityId);
        assertThat(app.count("SELECT COUNT(*) FROM deliveries WHERE event_id = 'evt_never'")).isZero();
        app.awaitRow("SELECT * FROM payroll_time_records WHERE last_event_id = 'evt_after'");
    }

    @Test
    void aBatchWithOneRecordTheTableCannotHoldStillDeliversTheOthers() {
        // Written in one statement, so that one claim takes all three and payroll-db gets them as one batch.
        app.rows("INSERT INTO deliveries (target, event_id, record_id, ordering_key, source, entity, event_type, record, inbox_id, status,"
                + " attempts, created_at, next_attempt_at) SELECT 'payroll-db', 'evt_batch_' || x, 'clockeye:time_entry:' || e, 'clockeye:user:' || x,"
                + " 'clockeye', 'time_entry', 'time_entry.created', '{\"recordId\":\"clockeye:time_entry:' || e || '\",\"eventId\":\"evt_batch_' || x"
                + " || '\",\"source\":\"clockeye\",\"eventType\":\"time_entry.created\",\"action\":\"upsert\",\"entity\":\"time_entry\","
                + "\"entityId\":\"' || e || '\",\"userId\":\"' || x || '\",\"occurredAt\":\"2024-06-02T10:00:00Z\"}', 0, 'pending', 0,"
                + " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM (VALUES ('a', 'te_batch_a'), ('b', 'te_" + "y".repeat(300) + "'), ('c', 'te_batch_c')) AS v(x, e)");

        app.awaitRow("SELECT * FROM dead_letters WHERE event_id = 'evt_batch_b'");
        app.awaitRow(row -> ((Number) row.get("N")).intValue() == 2,
                "SELECT COUNT(*) AS n FROM payroll_time_records WHERE last_event_id IN ('evt_batch_a', 'evt_batch_c')");
        assertThat(app.count("SELECT COUNT(*) FROM deliveries WHERE event_id IN ('evt_batch_a', 'evt_batch_c') AND status = 'delivered'")).isEqualTo(2);
    }

    private static String event(String id, String entryId, String userId) {
        return "{\"id\":\"" + id + "\",\"type\":\"time_entry.created\",\"created_at\":\"2024-06-01T10:00:00Z\","
                + "\"data\":{\"id\":\"" + entryId + "\",\"user_id\":\"" + userId + "\",\"start_time\":\"2024-06-01T09:00:00Z\",\"duration\":900}}";
    }
}
