package io.clockrelay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each of ClockEye's nine documented events, posted over HTTP to the running app and followed down to its row in
 * payroll_time_records (vendor-docs/clockeye-webhooks.txt; fixtures in fixtures/clockeye/).
 */
class ClockEyeEventsToPayrollTest {

    @TempDir
    static java.nio.file.Path folder;
    static RunningClockrelay app;
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() {
        app = RunningClockrelay.start(folder);
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void timeEntryIsCreatedCompleteThenPartiallyUpdatedThenFlaggedDeleted() throws Exception {
        accept("time_entry.created");

        Map<String, Object> row = awaitRecord("clockeye:time_entry:te_def456", "evt_abc123xyz");
        assertThat(row).containsEntry("SOURCE", "clockeye").containsEntry("ENTITY", "time_entry")
                .containsEntry("ENTITY_ID", "te_def456").containsEntry("USER_ID", "usr_xyz789")
                .containsEntry("DURATION_SECONDS", 3600L).containsEntry("DELETED", false)
                .containsEntry("LAST_EVENT_TYPE", "time_entry.created")
                .containsEntry("TIME_KIND", "work").containsEntry("STATUS", null).containsEntry("WORK_DATE", java.sql.Date.valueOf("2024-01-15"));
        assertThat(instant(row, "STARTS_AT")).isEqualTo("2024-01-15T09:00:00Z");
        assertThat(instant(row, "ENDS_AT")).isEqualTo("2024-01-15T10:00:00Z");
        assertThat(instant(row, "LAST_EVENT_AT")).isEqualTo("2024-01-15T10:30:00Z");
        JsonNode record = JSON.readTree((String) row.get("RECORD"));
        assertThat(record.get("action").asText()).isEqualTo("upsert");
        assertThat(record.get("attributes").get("project_id").asText()).isEqualTo("prj_abc123");
        assertThat(record.get("attributes").get("description").asText()).isEqualTo("Working on feature X");
        assertThat(record.has("end")).isTrue();
        assertThat(record.get("receivedAt").asText()).isNotBlank();

        accept("time_entry.updated");

        Map<String, Object> updated = awaitRecord("clockeye:time_entry:te_def456", "evt_upd234abc");
        assertThat(updated).containsEntry("USER_ID", "usr_xyz789").containsEntry("DURATION_SECONDS", 5400L)
                .containsEntry("LAST_EVENT_TYPE", "time_entry.updated").containsEntry("DELETED", false);
        assertThat(instant(updated, "STARTS_AT")).isEqualTo("2024-01-15T09:00:00Z");
        assertThat(instant(updated, "ENDS_AT")).as("a new duration moves the end: the row never contradicts itself").isEqualTo("2024-01-15T10:30:00Z");
        JsonNode change = JSON.readTree((String) updated.get("RECORD"));
        assertThat(change.has("start")).as("a partial update carries what changed").isFalse();
        assertThat(change.get("end").asText()).as("and the end it moves").isEqualTo("2024-01-15T10:30:00Z");
        assertThat(change.get("userId").asText()).as("and the employee, as clockrelay knows it").isEqualTo("usr_xyz789");
        assertThat(change.get("attributes").get("description").asText()).isEqualTo("Working on feature X and its tests");

        accept("time_entry.deleted");

        Map<String, Object> deleted = awaitRecord("clockeye:time_entry:te_def456", "evt_del345bcd");
        assertThat(deleted).containsEntry("DELETED", true).containsEntry("USER_ID", "usr_xyz789")
                .containsEntry("DURATION_SECONDS", 5400L).containsEntry("LAST_EVENT_TYPE", "time_entry.deleted");
        assertThat(instant(deleted, "STARTS_AT")).isEqualTo("2024-01-15T09:00:00Z");
        assertThat(app.count("SELECT COUNT(*) FROM payroll_time_records WHERE record_id = ?", "clockeye:time_entry:te_def456"))
                .as("a deletion never removes the row").isEqualTo(1);
    }

    @Test
    void screenshotCapturedIsARecordOfItsOwnLinkedToTheTimeEntry() throws Exception {
        accept("screenshot.captured");

        Map<String, Object> row = awaitRecord("clockeye:screenshot:scr_ghi789", "evt_scr456cde");
        assertThat(row).containsEntry("ENTITY", "screenshot").containsEntry("USER_ID", "usr_xyz789");
        JsonNode attributes = JSON.readTree((String) row.get("RECORD")).get("attributes");
        assertThat(attributes.get("time_entry_id").asText()).isEqualTo("te_def456");
        assertThat(attributes.get("activity_level").asInt()).isEqualTo(87);
        assertThat(attributes.get("url").asText()).endsWith("scr_ghi789.png");
    }

    @Test
    void userInvitedThenActivatedEndsActiveWithTheInvitationKept() throws Exception {
        accept("user.invited");
        Map<String, Object> invited = awaitRecord("clockeye:user:usr_new001", "evt_inv567def");
        assertThat(invited).containsEntry("ENTITY", "user").containsEntry("USER_ID", "usr_new001");
        assertThat(JSON.readTree((String) invited.get("RECORD")).get("attributes").get("status").asText()).isEqualTo("invited");

        accept("user.activated");
        Map<String, Object> activated = awaitRecord("clockeye:user:usr_new001", "evt_act678efa");
        JsonNode attributes = JSON.readTree((String) activated.get("RECORD")).get("attributes");
        assertThat(attributes.get("status").asText()).isEqualTo("active");
        assertThat(attributes.get("email").asText()).isEqualTo("jane.doe@example.com");
        assertThat(instant(activated, "LAST_EVENT_AT")).isEqualTo("2024-01-14T09:29:58Z");
    }

    @Test
    void projectCreatedKeepsItsNameAndCreator() throws Exception {
        accept("project.created");

        Map<String, Object> row = awaitRecord("clockeye:project:prj_abc123", "evt_prj789fab");
        assertThat(row).containsEntry("ENTITY", "project").containsEntry("USER_ID", null);
        JsonNode attributes = JSON.readTree((String) row.get("RECORD")).get("attributes");
        assertThat(attributes.get("name").asText()).isEqualTo("Feature X");
        assertThat(attributes.get("created_by").asText()).isEqualTo("usr_admin01");
    }

    @Test
    void timesheetSubmittedCoversWholeDaysAndApprovalKeepsWhatWasSubmitted() throws Exception {
        accept("timesheet.submitted");
        Map<String, Object> submitted = awaitRecord("clockeye:timesheet:ts_jkl012", "evt_tss890abc");
        assertThat(submitted).containsEntry("USER_ID", "usr_xyz789").containsEntry("DURATION_SECONDS", 138_600L)
                .containsEntry("STATUS", "submitted").containsEntry("TIME_KIND", null).containsEntry("WORK_DATE", java.sql.Date.valueOf("2024-01-15"));
        assertThat(instant(submitted, "STARTS_AT")).isEqualTo("2024-01-15T00:00:00Z");
        assertThat(instant(submitted, "ENDS_AT")).as("period_end is inclusive").isEqualTo("2024-01-20T00:00:00Z");

        accept("timesheet.approved");
        Map<String, Object> approved = awaitRecord("clockeye:timesheet:ts_jkl012", "evt_tsa901bcd");
        assertThat(approved).containsEntry("USER_ID", "usr_xyz789").containsEntry("DURATION_SECONDS", 138_600L)
                .containsEntry("LAST_EVENT_TYPE", "timesheet.approved").containsEntry("STATUS", "approved");
        assertThat(instant(approved, "ENDS_AT")).isEqualTo("2024-01-20T00:00:00Z");
        JsonNode attributes = JSON.readTree((String) approved.get("RECORD")).get("attributes");
        assertThat(attributes.get("approved_by").asText()).isEqualTo("usr_admin01");
    }

    @Test
    void anOlderChangeArrivingLateNeverOverwritesANewerOne() throws Exception {
        String newer = """
                {"id":"evt_late_2","type":"time_entry.updated","created_at":"2024-02-01T12:00:00Z",
                 "data":{"id":"te_late","changes":{"duration":7200},"updated_at":"2024-02-01T12:00:00Z"}}""";
        String older = """
                {"id":"evt_late_1","type":"time_entry.created","created_at":"2024-02-01T10:00:00Z",
                 "data":{"id":"te_late","user_id":"usr_late","start_time":"2024-02-01T09:00:00Z","duration":3600}}""";
        assertThat(app.postClockEye(newer).statusCode()).isEqualTo(200);
        awaitRecord("clockeye:time_entry:te_late", "evt_late_2");
        assertThat(app.postClockEye(older).statusCode()).isEqualTo(200);
        app.awaitRow(row -> "usr_late".equals(row.get("USER_ID")),
                "SELECT * FROM payroll_time_records WHERE record_id = ?", "clockeye:time_entry:te_late");

        Map<String, Object> row = app.rows("SELECT * FROM payroll_time_records WHERE record_id = ?", "clockeye:time_entry:te_late").get(0);
        assertThat(row).as("the newer duration stays; the older change only fills what was unknown")
                .containsEntry("DURATION_SECONDS", 7200L).containsEntry("USER_ID", "usr_late")
                .containsEntry("LAST_EVENT_ID", "evt_late_2");
        assertThat(instant(row, "STARTS_AT")).isEqualTo("2024-02-01T09:00:00Z");
    }

    @Test
    void anEventTypeClockEyeAddsLaterIsForwardedWholeAsUnknownAndCounted() throws Exception {
        String body = "{\"id\":\"evt_new_kind\",\"type\":\"invoice.paid\",\"created_at\":\"2024-07-01T08:00:00Z\","
                + "\"data\":{\"invoice\":\"inv_1\",\"amount\":120}}";
        assertThat(app.postClockEye(body).body()).isEqualTo("{\"status\":\"accepted\"}");

        Map<String, Object> row = awaitRecord("clockeye:unknown:evt_new_kind", "evt_new_kind");
        assertThat(row).containsEntry("ENTITY", "unknown").containsEntry("LAST_EVENT_TYPE", "invoice.paid");
        JsonNode payload = JSON.readTree((String) row.get("RECORD")).get("attributes").get("payload");
        assertThat(payload.get("data").get("invoice").asText()).isEqualTo("inv_1");
        assertThat(app.get(app.managementPort, "/observe/metrics").body())
                .contains("clockrelay_unknown_events_total{event_type=\"invoice.paid\",source=\"clockeye\"} 1.0");
    }

    private static void accept(String fixture) {
        HttpResponse<String> response = app.postClockEye(RunningClockrelay.fixture("clockeye", fixture));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).isIn("{\"status\":\"accepted\"}", "{\"status\":\"duplicate\"}");
    }

    private static Map<String, Object> awaitRecord(String recordId, String lastEventId) {
        return app.awaitRow(row -> lastEventId.equals(row.get("LAST_EVENT_ID")),
                "SELECT * FROM payroll_time_records WHERE record_id = ?", recordId);
    }

    private static Instant instant(Map<String, Object> row, String column) {
        return RunningClockrelay.instant(row.get(column));
    }
}
