package io.clockrelay;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A batch target gets a claim's records in one call: payroll-db writes them as one JDBC batch. Counted by the
 * metric operators read for it (records per successful call), so that the test fails if each record went alone.
 */
class DeliveryBatchingTest {

    private static final Map<String, String> PAYROLL_DB = Map.of("target", "payroll-db");

    @TempDir
    static Path folder;
    static RunningClockrelay app;

    @BeforeAll
    static void start() {
        // One claim loop, so that one claim takes every due delivery (two loops may split them).
        app = RunningClockrelay.start(folder, Map.of("clockrelay.deliver.loops", "1"));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void fortyRecordsDueTogetherReachThePayrollTableInOneBatch() {
        double callsBefore = app.metric("clockrelay_delivery_call_records_count", PAYROLL_DB).orElse(0);
        double recordsBefore = app.metric("clockrelay_delivery_call_records_sum", PAYROLL_DB).orElse(0);

        // Forty users' records made due in one statement: the next claim takes them all.
        app.rows("INSERT INTO deliveries (target, event_id, record_id, ordering_key, source, entity, event_type, record, inbox_id, status,"
                + " attempts, created_at, next_attempt_at) SELECT 'payroll-db', 'evt_batch_' || x, 'clockeye:time_entry:te_batch_' || x,"
                + " 'clockeye:user:usr_batch_' || x, 'clockeye', 'time_entry', 'time_entry.created',"
                + " '{\"recordId\":\"clockeye:time_entry:te_batch_' || x || '\",\"eventId\":\"evt_batch_' || x || '\",\"source\":\"clockeye\","
                + "\"eventType\":\"time_entry.created\",\"action\":\"upsert\",\"entity\":\"time_entry\",\"entityId\":\"te_batch_' || x || '\","
                + "\"userId\":\"usr_batch_' || x || '\",\"occurredAt\":\"2024-06-02T10:00:00Z\"}', 0, 'pending', 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP"
                + " FROM SYSTEM_RANGE(1, 40) AS r(x)");

        app.awaitRow(row -> ((Number) row.get("N")).intValue() == 40,
                "SELECT COUNT(*) AS n FROM deliveries WHERE event_id LIKE 'evt_batch_%' AND status = 'delivered'");
        assertThat(app.count("SELECT COUNT(*) FROM payroll_time_records WHERE last_event_id LIKE 'evt_batch_%'")).isEqualTo(40);
        assertThat(app.metric("clockrelay_delivery_call_records_count", PAYROLL_DB).orElse(0) - callsBefore)
                .as("calls to payroll-db for the forty").isEqualTo(1);
        assertThat(app.metric("clockrelay_delivery_call_records_sum", PAYROLL_DB).orElse(0) - recordsBefore)
                .as("records in that call").isEqualTo(40);
    }

    @Test
    void oneUsersThirtyRecordsDueTogetherGoInOneBatchInTheirOrder() {
        double callsBefore = app.metric("clockrelay_delivery_call_records_count", PAYROLL_DB).orElse(0);

        // Thirty changes of one entry by one user, the newest last: the claim takes them together, in order.
        app.rows("INSERT INTO deliveries (target, event_id, record_id, ordering_key, source, entity, event_type, record, inbox_id, status,"
                + " attempts, created_at, next_attempt_at) SELECT 'payroll-db', 'evt_one_' || x, 'clockeye:time_entry:te_one',"
                + " 'clockeye:user:usr_one', 'clockeye', 'time_entry', 'time_entry.updated',"
                + " '{\"recordId\":\"clockeye:time_entry:te_one\",\"eventId\":\"evt_one_' || x || '\",\"source\":\"clockeye\","
                + "\"eventType\":\"time_entry.updated\",\"action\":\"upsert\",\"entity\":\"time_entry\",\"entityId\":\"te_one\","
                + "\"userId\":\"usr_one\",\"durationSeconds\":' || (60 * x) || ',\"occurredAt\":\"2024-06-02T10:' || LPAD(CAST(x AS VARCHAR), 2, '0')"
                + " || ':00Z\"}', 0, 'pending', 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM SYSTEM_RANGE(1, 30) AS r(x) ORDER BY x");

        app.awaitRow(row -> ((Number) row.get("N")).intValue() == 30,
                "SELECT COUNT(*) AS n FROM deliveries WHERE event_id LIKE 'evt_one_%' AND status = 'delivered'");
        assertThat(app.rows("SELECT last_event_id, duration_seconds FROM payroll_time_records WHERE record_id = 'clockeye:time_entry:te_one'").get(0))
                .as("the newest change, written last").containsEntry("LAST_EVENT_ID", "evt_one_30").containsEntry("DURATION_SECONDS", 1800L);
        assertThat(app.metric("clockrelay_delivery_call_records_count", PAYROLL_DB).orElse(0) - callsBefore)
                .as("calls to payroll-db for one user's thirty records").isEqualTo(1);
    }
}
