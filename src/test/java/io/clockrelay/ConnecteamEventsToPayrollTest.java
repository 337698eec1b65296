package io.clockrelay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Connecteam's webhooks posted over HTTP to the running app and followed to payroll_time_records: every event ×
 * activity type of the time-activity webhook (the document's own examples in the flat shape, the other pairs in the
 * common envelope, the events added later flat with requestId and eventTimestamp as Connecteam's API description
 * has them), the timesheet periods, and the users, scheduler, forms and tasks webhooks (fixtures/connecteam/).
 */
class ConnecteamEventsToPayrollTest {

    static final String SECRET = "connecteam-test-secret-01";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TIME_OFF_HOURS = "{\"id\":\"%s\",\"start\":{\"timestamp\":1722837600,\"timezone\":\"Europe/Vienna\"},"
            + "\"end\":{\"timestamp\":1722852000,\"timezone\":\"Europe/Vienna\"},\"policyTypeId\":\"65af9319dea5e39064086d93\","
            + "\"duration\":{\"value\":2.5,\"units\":\"hours\"},\"isAllDay\":false}";
    private static final Map<String, String> ENTITIES = Map.of("shift", "shift", "manual_break", "break", "time_off", "time_off");

    @TempDir
    static Path folder;
    static RunningClockrelay app;

    @BeforeAll
    static void start() {
        app = RunningClockrelay.start(folder, Map.of("clockrelay.connecteam.secrets", SECRET,
                "clockrelay.connecteam.time-off-types", "65af9319dea5e39064086d93:vacation,65af9319dea5e39064086d94:sick"));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    static Stream<String> timeActivityFixtures() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("src/test/resources/fixtures/connecteam/time-activity"))) {
            return files.map(file -> file.getFileName().toString().replace(".json", "")).sorted().toList().stream();
        }
    }

    /**
     * Every time-activity event of every activity type, down to the payroll row: an activity that happened or was
     * approved is its own row (worked time, a break, an absence counted by its duration), with the status the event
     * says; a deletion flags it deleted; a request is a row of its own (not time), so nothing paid changes until
     * Connecteam approves it.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("timeActivityFixtures")
    void everyTimeActivityEventBecomesTheRecordItMeans(String fixture) throws IOException {
        String body = RunningClockrelay.fixture("connecteam", "time-activity/" + fixture);
        JsonNode event = JSON.readTree(body);
        JsonNode fields = event.has("data") ? event.get("data") : event;
        String eventType = event.get("eventType").asText();
        String entity = ENTITIES.get(event.get("activityType").asText());
        JsonNode activity = fields.get("timeActivity");
        String id = activity != null ? activity.get("id").asText() : fields.get("timeActivityId").asText();
        String userId = fields.get("userId").asText();

        assertThat(post(body).body()).isEqualTo("{\"status\":\"accepted\"}");

        if (eventType.startsWith("user_") || eventType.startsWith("admin_declined_") && !eventType.equals("admin_declined_request")) {
            String kind = eventType.replaceAll(".*_(add|edit|delete)_request", "$1");
            Map<String, Object> request = awaitRecord("connecteam:" + entity + "_request:" + id + ":" + kind, eventType);
            assertThat(request).containsEntry("STATUS", eventType.startsWith("user_") ? "requested" : "declined")
                    .containsEntry("TIME_KIND", null).containsEntry("USER_ID", userId).containsEntry("DELETED", false);
            assertThat(app.count("SELECT COUNT(*) FROM payroll_time_records WHERE record_id = ?", "connecteam:" + entity + ":" + id))
                    .as("a request changes nothing that is paid").isZero();
            return;
        }
        Map<String, Object> row = awaitRecord("connecteam:" + entity + ":" + id, eventType);
        assertThat(row).containsEntry("USER_ID", userId).containsEntry("ENTITY", entity);
        if (eventType.equals("admin_delete") || eventType.endsWith("_approved_delete_request")) {
            assertThat(row).containsEntry("DELETED", true);
            if (eventType.endsWith("_approved_delete_request")) {
                assertThat(awaitRecord("connecteam:" + entity + "_request:" + id + ":delete", eventType)).containsEntry("STATUS", "approved");
            }
            return;
        }
        if (eventType.equals("admin_declined_request")) {
            assertThat(row).as("a time off approved before, declined: kept with its status, not paid")
                    .containsEntry("DELETED", false).containsEntry("STATUS", "declined").containsEntry("TIME_KIND", "absence");
            return;
        }
        assertThat(row).containsEntry("DELETED", false)
                .containsEntry("STATUS", eventType.contains("_approved_") ? "approved" : null)
                .containsEntry("TIME_KIND", Map.of("shift", "work", "break", "break", "time_off", "absence").get(entity))
                .containsEntry("TIMEZONE", activity.get("start").get("timezone").asText());
        Instant start = Instant.ofEpochSecond(activity.get("start").get("timestamp").asLong());
        assertThat(RunningClockrelay.instant(row.get("STARTS_AT"))).isEqualTo(start);
        assertThat(row.get("WORK_DATE")).as("the local day of the start")
                .isEqualTo(java.sql.Date.valueOf(start.atZone(java.time.ZoneId.of(activity.get("start").get("timezone").asText())).toLocalDate()));
        if (activity.has("end")) {
            assertThat(RunningClockrelay.instant(row.get("ENDS_AT"))).isEqualTo(Instant.ofEpochSecond(activity.get("end").get("timestamp").asLong()));
        } else {
            assertThat(row.get("ENDS_AT")).as("a clock-in has no end").isNull();
        }
        if (entity.equals("time_off")) {
            JsonNode duration = activity.get("duration");
            assertThat(((java.math.BigDecimal) row.get("QUANTITY_VALUE")).compareTo(duration.get("value").decimalValue())).isZero();
            assertThat(row).containsEntry("QUANTITY_UNIT", duration.get("units").asText())
                    .containsEntry("ABSENCE_TYPE", "vacation")
                    .as("a day off is a day, never end - start").containsEntry("DURATION_SECONDS",
                            duration.get("units").asText().equals("hours") ? Math.round(duration.get("value").asDouble() * 3600) : null);
        } else if (activity.has("end")) {
            assertThat(row.get("DURATION_SECONDS")).isEqualTo(activity.get("end").get("timestamp").asLong() - activity.get("start").get("timestamp").asLong());
        }
        JsonNode attributes = JSON.readTree((String) row.get("RECORD")).get("attributes");
        assertThat(attributes.get("timeClockId").asText()).isEqualTo(fields.get("timeClockId").asText());
        for (String kept : new String[] {"jobId", "policyTypeId", "manualBreakId", "duration"}) {
            if (activity.has(kept)) {
                assertThat(attributes.get(kept)).as(kept).isEqualTo(activity.get(kept));
            }
        }
        if (activity.has("shiftAttachments")) {
            assertThat(attributes.get("attachments")).isEqualTo(activity.get("shiftAttachments"));
        }
        Object eventTimestamp = event.has("eventTimestamp") ? event.get("eventTimestamp") : event.get("evnetTimestamp");
        if (eventTimestamp != null) {
            assertThat(RunningClockrelay.instant(row.get("LAST_EVENT_AT")))
                    .as("eventTimestamp, or the deprecated evnetTimestamp").isEqualTo(Instant.ofEpochSecond(((JsonNode) eventTimestamp).asLong()));
        }
    }

    @Test
    void aRequestedTimeOffDeclinedIsNeverPaidAndOneApprovedIs() {
        post(timeActivity("user_add_request", "time_off", "req-to-1", 601, TIME_OFF_HOURS.formatted("to_flow_1"), 1722500000));
        assertThat(awaitRecord("connecteam:time_off_request:to_flow_1:add", "user_add_request")).containsEntry("STATUS", "requested");
        post(timeActivity("admin_approved_add_request", "time_off", "req-to-2", 601, TIME_OFF_HOURS.formatted("to_flow_1"), 1722510000));
        Map<String, Object> approved = awaitRecord("connecteam:time_off:to_flow_1", "admin_approved_add_request");
        assertThat(approved).containsEntry("STATUS", "approved").containsEntry("TIME_KIND", "absence").containsEntry("DURATION_SECONDS", 9000L);
        assertThat(awaitRecord("connecteam:time_off_request:to_flow_1:add", "admin_approved_add_request")).containsEntry("STATUS", "approved");

        assertThat(paidSeconds(601)).as("what to pay: the approved time off, once").isEqualTo(9000L);
        post("{\"requestId\":\"req-to-3\",\"company\":\"c1\",\"eventType\":\"admin_declined_request\",\"activityType\":\"time_off\","
                + "\"eventTimestamp\":1722520000,\"userId\":601,\"timeClockId\":67,\"timeActivityId\":\"to_flow_1\"}");
        assertThat(awaitRecord("connecteam:time_off:to_flow_1", "admin_declined_request")).containsEntry("STATUS", "declined").containsEntry("DELETED", false);
        assertThat(paidSeconds(601)).as("declined after approval: not paid").isZero();
    }

    @Test
    void timesheetPeriodsAndLockedDaysCarryTheirUserPeriodAndStatus() {
        post(RunningClockrelay.fixture("connecteam", "timesheet-period/user_timesheet_submitted"));
        Map<String, Object> submitted = awaitRecord("connecteam:timesheet:316:2024-07-29..2024-08-11", "user_timesheet_submitted");
        assertThat(submitted).containsEntry("STATUS", "submitted").containsEntry("USER_ID", "316").containsEntry("TIME_KIND", null)
                .containsEntry("WORK_DATE", java.sql.Date.valueOf("2024-07-29"));
        post(RunningClockrelay.fixture("connecteam", "timesheet-period/user_timesheet_approved"));
        assertThat(awaitRecord("connecteam:timesheet:316:2024-07-29..2024-08-11", "user_timesheet_approved")).containsEntry("STATUS", "approved");
        post(RunningClockrelay.fixture("connecteam", "timesheet-period/admin_day_locked"));
        assertThat(awaitRecord("connecteam:day_lock:316:2024-08-05", "admin_day_locked")).containsEntry("STATUS", "locked");
    }

        @Test
    void aClockInFollowedByItsClockOutEndsAsOneCompleteShift() {
        post(timeActivity("clock_in", "shift", "req-in-1", 501, "{\"id\":\"sh_in_out\",\"start\":{\"timestamp\":1720000000,\"timezone\":\"Europe/Vienna\"}}", 1720000005));
        Map<String, Object> open = awaitRecord("connecteam:shift:sh_in_out", "clock_in");
        assertThat(open.get("ENDS_AT")).isNull();

        post(timeActivity("clock_out", "shift", "req-out-1", 501, "{\"id\":\"sh_in_out\",\"start\":{\"timestamp\":1720000000,\"timezone\":\"Europe/Vienna\"},"
                + "\"end\":{\"timestamp\":1720030000,\"timezone\":\"Europe/Vienna\"}}", 1720030005));
        Map<String, Object> closed = awaitRecord("connecteam:shift:sh_in_out", "clock_out");

        assertThat(closed).containsEntry("USER_ID", "501").containsEntry("DURATION_SECONDS", 30_000L).containsEntry("DELETED", false);
        assertThat(RunningClockrelay.instant(closed.get("ENDS_AT"))).isEqualTo(Instant.ofEpochSecond(1720030000));
        assertThat(app.count("SELECT COUNT(*) FROM payroll_time_records WHERE user_id = '501'")).isEqualTo(1);
    }

    @Test
    void aDeletedActivityStaysAsARowFlaggedDeleted() {
        post(timeActivity("admin_add", "manual_break", "req-add-2", 502, "{\"id\":\"br_gone\",\"start\":{\"timestamp\":1720100000,\"timezone\":\"UTC\"},"
                + "\"end\":{\"timestamp\":1720101800,\"timezone\":\"UTC\"},\"manualBreakId\":\"mb-1\"}", 1720101900));
        awaitRecord("connecteam:break:br_gone", "admin_add");

        post("{\"requestId\":\"req-del-2\",\"eventType\":\"admin_delete\",\"activityType\":\"manual_break\",\"eventTimestamp\":1720102000,"
                + "\"data\":{\"userId\":502,\"timeClockId\":67,\"timeActivityId\":\"br_gone\"}}");
        Map<String, Object> row = awaitRecord("connecteam:break:br_gone", "admin_delete");

        assertThat(row).containsEntry("DELETED", true).containsEntry("DURATION_SECONDS", 1800L);
        assertThat(RunningClockrelay.instant(row.get("STARTS_AT"))).isEqualTo(Instant.ofEpochSecond(1720100000));
    }

    /**
     * A flat payload without requestId or eventTimestamp (as in Connecteam's document) is known by its body's digest: a
     * shift edited A, then B, then back to A sends the first body again, byte for byte. That is a change, not a retry:
     * the row ends as A; only a repeat of the latest body is a duplicate.
     */
    @Test
    void aShiftEditedToBAndBackToAEndsAsAWhileARetryOfTheLatestBodyIsADuplicate() throws Exception {
        editedToBAndBackToA(app);
    }

    /** The A → B → A case against a running clockrelay (its store and payroll-db on one database): PostgresStoreTest too. */
    static void editedToBAndBackToA(RunningClockrelay running) throws Exception {
        String a = flatEdit("sh_aba", 1720400000, 1720428800);
        String b = flatEdit("sh_aba", 1720400000, 1720432400);

        assertThat(postTo(running, a).body()).isEqualTo("{\"status\":\"accepted\"}");
        assertThat(postTo(running, a).body()).as("Connecteam's retry").isEqualTo("{\"status\":\"duplicate\"}");
        awaitEnd(running, "connecteam:shift:sh_aba", 1720428800);
        assertThat(postTo(running, b).body()).isEqualTo("{\"status\":\"accepted\"}");
        awaitEnd(running, "connecteam:shift:sh_aba", 1720432400);
        assertThat(postTo(running, a).body()).as("back to A: a change").isEqualTo("{\"status\":\"accepted\"}");
        assertThat(postTo(running, a).body()).as("a retry of that one").isEqualTo("{\"status\":\"duplicate\"}");

        Map<String, Object> row = awaitEnd(running, "connecteam:shift:sh_aba", 1720428800);
        assertThat(row).containsEntry("DURATION_SECONDS", 28_800L).containsEntry("DELETED", false);
        assertThat((String) row.get("LAST_EVENT_ID")).as("the third webhook's own id").matches("sha256:[0-9a-f]{64}/after:[0-9a-f]{32}");
        assertThat(running.count("SELECT COUNT(*) FROM inbox WHERE record_key = 'connecteam:shift:sh_aba'")).isEqualTo(3);
        assertThat(running.count("SELECT COUNT(*) FROM deliveries WHERE record_id = 'connecteam:shift:sh_aba' AND target = 'payroll-db'")).isEqualTo(3);

        // B again, sent by many clients at once (committed together): one change, the others its retries.
        java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(16);
        try {
            List<java.util.concurrent.Future<String>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 32; i++) {
                answers.add(clients.submit(() -> postTo(running, b).body()));
            }
            List<String> bodies = new java.util.ArrayList<>();
            for (java.util.concurrent.Future<String> answer : answers) {
                bodies.add(answer.get(30, java.util.concurrent.TimeUnit.SECONDS));
            }
            assertThat(bodies).filteredOn("{\"status\":\"accepted\"}"::equals).hasSize(1);
        } finally {
            clients.shutdown();
        }
        awaitEnd(running, "connecteam:shift:sh_aba", 1720432400);
        assertThat(running.count("SELECT COUNT(*) FROM inbox WHERE record_key = 'connecteam:shift:sh_aba'")).isEqualTo(4);
    }

    private static String flatEdit(String id, long start, long end) {
        return "{\"userId\":504,\"timeClockId\":67,\"activityType\":\"shift\",\"eventType\":\"admin_edit\",\"timeActivity\":{\"id\":\"" + id
                + "\",\"start\":{\"timestamp\":" + start + ",\"timezone\":\"UTC\"},\"end\":{\"timestamp\":" + end + ",\"timezone\":\"UTC\"}}}";
    }

    private static Map<String, Object> awaitEnd(RunningClockrelay running, String recordId, long end) {
        return running.awaitRow(row -> row.get("ENDS_AT") != null && RunningClockrelay.instant(row.get("ENDS_AT")).equals(Instant.ofEpochSecond(end)),
                "SELECT * FROM payroll_time_records WHERE record_id = ?", recordId);
    }

    @Test
    void theUsersWebhookKeepsOneRowPerUserThroughItsLifecycle() throws IOException {
        post(RunningClockrelay.fixture("connecteam", "users/user_created"));
        JsonNode created = record(awaitRecord("connecteam:user:9063791", "user_created"));
        assertThat(created.get("userId").asText()).isEqualTo("9063791");
        assertThat(created.get("attributes").get("email").asText()).isEqualTo("john@example.com");
        assertThat(created.get("attributes").get("kioskCode").asText()).isEqualTo("JS1234");

        post(RunningClockrelay.fixture("connecteam", "users/user_updated"));
        assertThat(record(awaitRecord("connecteam:user:9063791", "user_updated")).get("attributes").get("customFields").get(0).get("value").asText())
                .isEqualTo("EMP-2024-001");
        post(RunningClockrelay.fixture("connecteam", "users/user_archived"));
        assertThat(record(awaitRecord("connecteam:user:9063791", "user_archived")).get("attributes").get("isArchived").asBoolean()).isTrue();
        post(RunningClockrelay.fixture("connecteam", "users/user_restored"));
        assertThat(record(awaitRecord("connecteam:user:9063791", "user_restored")).get("attributes").get("isArchived").asBoolean()).isFalse();
        post(RunningClockrelay.fixture("connecteam", "users/user_promoted"));
        assertThat(record(awaitRecord("connecteam:user:9063791", "user_promoted")).get("attributes").get("userType").asText()).isEqualTo("manager");
        post(RunningClockrelay.fixture("connecteam", "users/user_demoted"));
        assertThat(record(awaitRecord("connecteam:user:9063791", "user_demoted")).get("attributes").get("userType").asText()).isEqualTo("user");
        post(RunningClockrelay.fixture("connecteam", "users/user_deleted"));
        Map<String, Object> deleted = awaitRecord("connecteam:user:9063791", "user_deleted");

        assertThat(deleted).containsEntry("DELETED", true).containsEntry("ENTITY", "user");
    }

    @Test
    void theSchedulerWebhookCreatesUpdatesAndDeletesScheduledShiftsAndAvailability() throws IOException {
        post(RunningClockrelay.fixture("connecteam", "scheduler/shift_created"));
        Map<String, Object> created = awaitRecord("connecteam:scheduled_shift:6784dacb3c07733b0a849f49", "shift_created");
        assertThat(created).containsEntry("USER_ID", "9170357").containsEntry("TIMEZONE", "Asia/Jerusalem");
        assertThat(RunningClockrelay.instant(created.get("STARTS_AT"))).isEqualTo(Instant.ofEpochSecond(1736924400));
        assertThat(record(created).get("attributes").get("title").asText()).isEqualTo("Morning Shift");

        post(RunningClockrelay.fixture("connecteam", "scheduler/shift_updated"));
        Map<String, Object> updated = awaitRecord("connecteam:scheduled_shift:6784dacb3c07733b0a849f49", "shift_updated");
        assertThat(RunningClockrelay.instant(updated.get("ENDS_AT"))).isEqualTo(Instant.ofEpochSecond(1736946000));
        assertThat(record(updated).get("attributes").get("assignedUserIds")).hasSize(2);

        post(RunningClockrelay.fixture("connecteam", "scheduler/shift_deleted"));
        assertThat(awaitRecord("connecteam:scheduled_shift:6784dacb3c07733b0a849f49", "shift_deleted")).containsEntry("DELETED", true);

        assertThat(created).containsEntry("TIME_KIND", "planned");
        // Statuses at the top level, as Connecteam's API description has them, one of them without an id.
        post(RunningClockrelay.fixture("connecteam", "scheduler/availability_status_created"));
        Map<String, Object> availability = awaitRecord("connecteam:availability:6790aa11bb22cc33dd44ee55", "availability_status_created");
        assertThat(availability).containsEntry("USER_ID", "9170357").containsEntry("DELETED", false).containsEntry("TIME_KIND", null);
        assertThat(record(availability).get("attributes").get("type").asText()).isEqualTo("unavailable");
        Map<String, Object> withoutId = awaitRecord("connecteam:availability:9170358:1737190800", "availability_status_created");
        assertThat(record(withoutId).get("attributes").get("type").asText()).isEqualTo("preferToWork");
        assertThat(RunningClockrelay.instant(withoutId.get("ENDS_AT"))).isEqualTo(Instant.ofEpochSecond(1737219600));
        post(RunningClockrelay.fixture("connecteam", "scheduler/availability_status_deleted"));
        assertThat(awaitRecord("connecteam:availability:6790aa11bb22cc33dd44ee55", "availability_status_deleted")).containsEntry("DELETED", true);
        assertThat(awaitRecord("connecteam:availability:9170358:1737190800", "availability_status_deleted")).containsEntry("DELETED", true);
    }

    @Test
    void formSubmissionsKeepTheirAnswersAndManagerFields() throws IOException {
        post(RunningClockrelay.fixture("connecteam", "forms/form_submission"));
        JsonNode submitted = record(awaitRecord("connecteam:form_submission:5b43a76b1d41c85da1ff8b77", "form_submission"));
        assertThat(submitted.get("userId").asText()).isEqualTo("9063791");
        assertThat(submitted.get("attributes").get("formId").asInt()).isEqualTo(12345);
        assertThat(submitted.get("attributes").get("answers").get(0).get("value").asText()).isEqualTo("All equipment checked");

        post(RunningClockrelay.fixture("connecteam", "forms/form_submission_edited"));
        assertThat(record(awaitRecord("connecteam:form_submission:5b43a76b1d41c85da1ff8b77", "form_submission_edited"))
                .get("attributes").get("answers").get(0).get("value").asText()).endsWith("one lamp replaced");
        post(RunningClockrelay.fixture("connecteam", "forms/manager_field_updated"));
        assertThat(record(awaitRecord("connecteam:form_submission:5b43a76b1d41c85da1ff8b77", "manager_field_updated"))
                .get("attributes").get("managerFields").get(0).get("value").asText()).isEqualTo("yes");
    }

    @Test
    void tasksArePublishedThenCompleted() throws IOException {
        post(RunningClockrelay.fixture("connecteam", "tasks/task_published"));
        Map<String, Object> published = awaitRecord("connecteam:task:680e0f66cdbaf2dd5d47bae7", "task_published");
        assertThat(published).containsEntry("USER_ID", "9170357");
        assertThat(record(published).get("attributes").get("title").asText()).isEqualTo("Complete safety inspection");

        post(RunningClockrelay.fixture("connecteam", "tasks/task_completed"));
        assertThat(record(awaitRecord("connecteam:task:680e0f66cdbaf2dd5d47bae7", "task_completed")).get("attributes").get("status").asText())
                .isEqualTo("completed");
    }

    @Test
    void anEventTypeConnecteamAddsLaterIsForwardedAsUnknownAndCounted() throws IOException {
        String body = "{\"requestId\":\"req-new-kind\",\"company\":\"c1\",\"eventType\":\"user_swapped_shift_request\",\"activityType\":\"shift\","
                + "\"eventTimestamp\":1720300000,\"data\":{\"userId\":9,\"timeActivity\":{\"id\":\"x1\"}}}";
        assertThat(post(body).statusCode()).isEqualTo(200);

        Map<String, Object> row = awaitRecord("connecteam:unknown:req-new-kind", "user_swapped_shift_request");
        assertThat(record(row).get("attributes").get("payload").get("data").get("userId").asInt()).isEqualTo(9);
        assertThat(app.get(app.managementPort, "/observe/metrics").body())
                .contains("clockrelay_unknown_events_total{event_type=\"user_swapped_shift_request\",source=\"connecteam\"} 1.0");
    }

    static String timeActivity(String eventType, String activityType, String requestId, int userId, String activity, long eventTimestamp) {
        return "{\"requestId\":\"" + requestId + "\",\"company\":\"c1\",\"eventType\":\"" + eventType + "\",\"activityType\":\"" + activityType
                + "\",\"eventTimestamp\":" + eventTimestamp + ",\"data\":{\"userId\":" + userId + ",\"timeClockId\":67,\"timeActivity\":" + activity + "}}";
    }

    static HttpResponse<String> post(String body) {
        return postTo(app, body);
    }

    /** A Connecteam webhook, with the secret as Connecteam sends it, to a running clockrelay. */
    static HttpResponse<String> postTo(RunningClockrelay running, String body) {
        return running.post("/webhooks/connecteam", "application/json", body.getBytes(java.nio.charset.StandardCharsets.UTF_8), "X-Webhook-Secret", SECRET);
    }

    /** What to pay a user: NOT deleted AND (status IS NULL OR status = 'approved'), in seconds of absence and work. */
    private static long paidSeconds(int userId) {
        return app.count("SELECT COALESCE(SUM(duration_seconds), 0) FROM payroll_time_records WHERE user_id = ? AND NOT deleted"
                + " AND (status IS NULL OR status = 'approved') AND time_kind IS NOT NULL", String.valueOf(userId));
    }

    private static Map<String, Object> awaitRecord(String recordId, String lastEventType) {
        return app.awaitRow(row -> lastEventType.equals(row.get("LAST_EVENT_TYPE")),
                "SELECT * FROM payroll_time_records WHERE record_id = ?", recordId);
    }

    private static JsonNode record(Map<String, Object> row) throws IOException {
        return JSON.readTree((String) row.get("RECORD"));
    }
}
