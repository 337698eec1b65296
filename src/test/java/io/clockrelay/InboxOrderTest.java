package io.clockrelay;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A webhook is never mapped ahead of an earlier one of the same employee or record that is still in the inbox:
 * held by an instance that died (its lease not yet run out) or waiting for its retry. The earlier one is put in
 * the inbox here as such an instance leaves it; the later one arrives over HTTP.
 */
class InboxOrderTest {

    @TempDir
    static Path folder;
    static RunningClockrelay app;

    @BeforeAll
    static void start() {
        app = RunningClockrelay.start(folder);
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void aWebhookHeldByADeadInstanceHoldsBackTheLaterWebhooksOfItsEmployee() {
        earlier("evt_dead_1", "te_dead_1", "usr_dead", "clockeye:user:usr_dead", "clockeye:time_entry:te_dead_1",
                "UPDATE inbox SET claim_token = 'killed/1', lease_until = ? WHERE event_id = 'evt_dead_1'", Instant.now().plusSeconds(2));

        assertThat(app.postClockEye(created("evt_dead_2", "te_dead_2", "usr_dead")).body()).isEqualTo("{\"status\":\"accepted\"}");

        assertThat(deliveredInOrder("evt_dead_1", "evt_dead_2")).containsExactly("evt_dead_1", "evt_dead_2");
    }

    @Test
    void aWebhookWaitingForItsRetryHoldsBackTheLaterWebhooksOfItsEmployee() {
        earlier("evt_retry_1", "te_retry_1", "usr_retry", "clockeye:user:usr_retry", "clockeye:time_entry:te_retry_1",
                "UPDATE inbox SET attempts = 1, next_attempt_at = ?, last_error = 'the store was unreachable' WHERE event_id = 'evt_retry_1'",
                Instant.now().plusSeconds(2));

        assertThat(app.postClockEye(created("evt_retry_2", "te_retry_2", "usr_retry")).body()).isEqualTo("{\"status\":\"accepted\"}");

        assertThat(deliveredInOrder("evt_retry_1", "evt_retry_2")).containsExactly("evt_retry_1", "evt_retry_2");
    }

    @Test
    void anUpdateThatNamesNoEmployeeWaitsForTheEarlierWebhookOfItsRecord() {
        earlier("evt_rec_1", "te_rec", "usr_rec", "clockeye:user:usr_rec", "clockeye:time_entry:te_rec",
                "UPDATE inbox SET claim_token = 'killed/2', lease_until = ? WHERE event_id = 'evt_rec_1'", Instant.now().plusSeconds(2));

        assertThat(app.postClockEye("{\"id\":\"evt_rec_2\",\"type\":\"time_entry.updated\",\"created_at\":\"2024-08-01T11:00:00Z\","
                + "\"data\":{\"id\":\"te_rec\",\"changes\":{\"duration\":7200},\"updated_at\":\"2024-08-01T11:00:00Z\"}}").body())
                .isEqualTo("{\"status\":\"accepted\"}");

        assertThat(deliveredInOrder("evt_rec_1", "evt_rec_2")).containsExactly("evt_rec_1", "evt_rec_2");
    }

    @Test
    void anotherEmployeesWebhookDoesNotWait() {
        earlier("evt_other_1", "te_other_1", "usr_held", "clockeye:user:usr_held", "clockeye:time_entry:te_other_1",
                "UPDATE inbox SET claim_token = 'killed/3', lease_until = ? WHERE event_id = 'evt_other_1'", Instant.now().plusSeconds(60));

        app.postClockEye(created("evt_other_2", "te_other_2", "usr_free"));

        app.awaitRow("SELECT * FROM deliveries WHERE event_id = 'evt_other_2' AND status = 'delivered'");
        assertThat(app.rows("SELECT status, claim_token FROM inbox WHERE event_id = 'evt_other_1'"))
                .containsExactly(Map.of("STATUS", "pending", "CLAIM_TOKEN", "killed/3"));
    }

    /** An earlier webhook, stored as the inbox writer stores it, then left as {@code update} says (held or waiting). */
    private static void earlier(String eventId, String entryId, String userId, String orderingKey, String recordKey, String update, Instant until) {
        app.rows("INSERT INTO inbox (source, event_id, event_type, ordering_key, record_key, received_at, payload, status, attempts, next_attempt_at)"
                + " VALUES ('clockeye', ?, 'time_entry.created', ?, ?, ?, ?, 'pending', 0, ?)", eventId, orderingKey, recordKey,
                Timestamp.from(Instant.now()), created(eventId, entryId, userId), Timestamp.from(Instant.now().plusSeconds(3600)));
        app.rows(update, Timestamp.from(until));
        // Due at once: only the lease, or the retry's time, holds it.
        app.rows("UPDATE inbox SET next_attempt_at = ? WHERE event_id = ? AND attempts = 0", Timestamp.from(Instant.now()), eventId);
    }

    /** The event ids as their deliveries were written (the order the target receives them), once both are delivered. */
    private static List<Object> deliveredInOrder(String first, String second) {
        app.awaitRow(row -> ((Number) row.get("N")).intValue() == 2,
                "SELECT COUNT(*) AS n FROM deliveries WHERE event_id IN (?, ?) AND status = 'delivered'", first, second);
        return app.rows("SELECT event_id FROM deliveries WHERE event_id IN (?, ?) ORDER BY id", first, second).stream()
                .map(row -> row.get("EVENT_ID")).toList();
    }

    private static String created(String eventId, String entryId, String userId) {
        return "{\"id\":\"" + eventId + "\",\"type\":\"time_entry.created\",\"created_at\":\"2024-08-01T10:00:00Z\","
                + "\"data\":{\"id\":\"" + entryId + "\",\"user_id\":\"" + userId + "\",\"start_time\":\"2024-08-01T09:00:00Z\",\"duration\":3600}}";
    }
}
