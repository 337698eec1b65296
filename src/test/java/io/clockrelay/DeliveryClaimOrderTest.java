package io.clockrelay;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A delivery claim takes a user's next records together, but never one whose earlier record another claim is taking
 * at that very moment: that row is locked (SKIP LOCKED passes over it) and still reads pending.
 */
class DeliveryClaimOrderTest {

    @TempDir
    static Path folder;
    static RunningClockrelay app;

    @BeforeAll
    static void start() {
        // The deliver stage claims only when woken (after the process stage commits) or once a minute.
        app = RunningClockrelay.start(folder, Map.of("clockrelay.deliver.poll-interval-ms", "60000"));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void aRecordWhoseEarlierOneIsBeingClaimedElsewhereWaitsForIt() throws Exception {
        insert("evt_race_1", "te_race", 60);
        try (Connection other = DriverManager.getConnection(app.storeUrl, app.storeUser, "")) {
            // Another instance in the middle of its claim: the earlier record is locked, not yet leased.
            other.setAutoCommit(false);
            try (Statement lock = other.createStatement();
                 ResultSet locked = lock.executeQuery("SELECT id FROM deliveries WHERE event_id = 'evt_race_1' FOR UPDATE")) {
                assertThat(locked.next()).isTrue();
            }
            insert("evt_race_2", "te_race", 120);

            // A webhook of another user wakes the deliver stage; once its record is delivered, a claim has passed.
            assertThat(app.postClockEye(webhook("evt_race_wake_1", "usr_race_other")).body()).isEqualTo("{\"status\":\"accepted\"}");
            app.awaitRow("SELECT * FROM deliveries WHERE event_id = 'evt_race_wake_1' AND status = 'delivered'");
            assertThat(app.rows("SELECT status, claim_token FROM deliveries WHERE event_id = 'evt_race_2'").get(0))
                    .as("not claimed ahead of its user's earlier record").containsEntry("STATUS", "pending").containsEntry("CLAIM_TOKEN", null);
            other.rollback();
        }

        assertThat(app.postClockEye(webhook("evt_race_wake_2", "usr_race_other")).body()).isEqualTo("{\"status\":\"accepted\"}");
        app.awaitRow(row -> ((Number) row.get("N")).intValue() == 2,
                "SELECT COUNT(*) AS n FROM deliveries WHERE event_id LIKE 'evt_race_%' AND event_id NOT LIKE 'evt_race_wake%' AND status = 'delivered'");
        List<Map<String, Object>> order = app.rows("SELECT event_id FROM deliveries WHERE event_id IN ('evt_race_1', 'evt_race_2')"
                + " ORDER BY delivered_at, id");
        assertThat(order).extracting(row -> row.get("EVENT_ID")).containsExactly("evt_race_1", "evt_race_2");
        assertThat(app.rows("SELECT last_event_id, duration_seconds FROM payroll_time_records WHERE record_id = 'clockeye:time_entry:te_race'").get(0))
                .containsEntry("LAST_EVENT_ID", "evt_race_2").containsEntry("DURATION_SECONDS", 120L);
    }

    private static void insert(String eventId, String entryId, int seconds) {
        app.rows("INSERT INTO deliveries (target, event_id, record_id, ordering_key, source, entity, event_type, record, inbox_id, status,"
                + " attempts, created_at, next_attempt_at) VALUES ('payroll-db', ?, ?, 'clockeye:user:usr_race', 'clockeye', 'time_entry',"
                + " 'time_entry.updated', ?, 0, 'pending', 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)", eventId, "clockeye:time_entry:" + entryId,
                "{\"recordId\":\"clockeye:time_entry:" + entryId + "\",\"eventId\":\"" + eventId + "\",\"source\":\"clockeye\",\"eventType\":"
                        + "\"time_entry.updated\",\"action\":\"upsert\",\"entity\":\"time_entry\",\"entityId\":\"" + entryId + "\",\"userId\":"
                        + "\"usr_race\",\"durationSeconds\":" + seconds + ",\"occurredAt\":\"2024-06-03T10:0" + seconds / 60 + ":00Z\"}");
    }

    private static String webhook(String id, String user) {
        return "{\"id\":\"" + id + "\",\"type\":\"time_entry.created\",\"created_at\":\"2024-06-03T10:30:00Z\","
                + "\"data\":{\"id\":\"te_" + id + "\",\"user_id\":\"" + user + "\",\"start_time\":\"2024-06-03T09:00:00Z\",\"duration\":60}}";
    }
}
