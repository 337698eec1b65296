package io.clockrelay;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A payroll table written by version 1 (db/payroll/&lt;dialect&gt;/V1 only, rows as version 1's mappers wrote them),
 * then clockrelay of today started on it, on H2, PostgreSQL and MariaDB: the table is migrated in place, every row
 * kept, and the version-2 columns say what the vendors meant, read from each row's own record (a day off is a day,
 * not 86,399 s; a declined absence is declined; a lump sum is no worked time). Then version 2's changes land on the
 * migrated rows by its rules: a change made from the vendor's whole entity clears what it no longer says (a time
 * off that became day-based has no seconds; an activity edited after a declined request is no longer declined), and
 * an older change arriving late fills nothing into such a row.
 */
class PayrollMigrationTest {

    private static final String SECRET = "connecteam-test-secret-01";
    private static final String VACATION_POLICY = "65af9319dea5e39064086d93";

    /** Version 1's rows: record id, source, entity, entity id, user, start, end, time zone, seconds, record JSON. */
    private static final List<String[]> VERSION_1_ROWS = List.of(
            row("connecteam:shift:sh_v1", "connecteam", "shift", "sh_v1", "146", "2024-03-20 06:00:00", "2024-03-20 14:00:00",
                    "Europe/Vienna", "28800",
                    "{\"recordId\":\"connecteam:shift:sh_v1\",\"eventId\":\"req-v1-1\",\"source\":\"connecteam\",\"eventType\":\"clock_out\","
                            + "\"action\":\"upsert\",\"entity\":\"shift\",\"entityId\":\"sh_v1\",\"userId\":\"146\",\"start\":\"2024-03-20T06:00:00Z\","
                            + "\"end\":\"2024-03-20T14:00:00Z\",\"timezone\":\"Europe/Vienna\",\"durationSeconds\":28800,"
                            + "\"occurredAt\":\"2024-03-20T14:00:05Z\",\"receivedAt\":\"2024-03-20T14:00:06Z\",\"attributes\":{\"timeClockId\":67}}"),
            row("connecteam:time_off:65d32918a28dbd2c492d76bb", "connecteam", "time_off", "65d32918a28dbd2c492d76bb", "146",
                    "2024-03-19 22:00:00", "2024-03-20 21:59:59", "Asia/Jerusalem", "86399",
                    "{\"recordId\":\"connecteam:time_off:65d32918a28dbd2c492d76bb\",\"eventId\":\"req-v1-2\",\"source\":\"connecteam\","
                            + "\"eventType\":\"admin_add\",\"action\":\"upsert\",\"entity\":\"time_off\",\"entityId\":\"65d32918a28dbd2c492d76bb\","
                            + "\"userId\":\"146\",\"start\":\"2024-03-19T22:00:00Z\",\"end\":\"2024-03-20T21:59:59Z\",\"timezone\":\"Asia/Jerusalem\","
                            + "\"durationSeconds\":86399,\"occurredAt\":\"2024-03-20T12:00:00Z\",\"receivedAt\":\"2024-03-20T12:00:01Z\","
                            + "\"attributes\":{\"timeClockId\":67,\"policyTypeId\":\"" + VACATION_POLICY + "\",\"duration\":{\"value\":1.0,\"units\":\"days\"},"
                            + "\"isAllDay\":true}}"),
            row("connecteam:time_off:to_hours_v1", "connecteam", "time_off", "to_hours_v1", "147", "2024-03-21 08:00:00",
                    "2024-03-21 12:00:00", "Europe/Vienna", "14400",
                    "{\"recordId\":\"connecteam:time_off:to_hours_v1\",\"eventId\":\"req-v1-3\",\"source\":\"connecteam\",\"eventType\":\"admin_add\","
                            + "\"action\":\"upsert\",\"entity\":\"time_off\",\"entityId\":\"to_hours_v1\",\"userId\":\"147\","
                            + "\"start\":\"2024-03-21T08:00:00Z\",\"end\":\"2024-03-21T12:00:00Z\",\"timezone\":\"Europe/Vienna\",\"durationSeconds\":14400,"
                            + "\"occurredAt\":\"2024-03-21T12:00:00Z\",\"receivedAt\":\"2024-03-21T12:00:01Z\",\"attributes\":{\"timeClockId\":67,"
                            + "\"policyTypeId\":\"" + VACATION_POLICY + "\",\"duration\":{\"value\":2.5,\"units\":\"hours\"},\"isAllDay\":false}}"),
            row("clockodo:time_entry:101", "clockodo", "time_entry", "101", "7", "2024-03-20 07:00:00", "2024-03-20 08:00:00", null, "3600",
                    "{\"recordId\":\"clockodo:time_entry:101\",\"eventId\":\"evt-v1-4\",\"source\":\"clockodo\",\"eventType\":\"entry.stopped\","
                            + "\"action\":\"upsert\",\"entity\":\"time_entry\",\"entityId\":\"101\",\"userId\":\"7\",\"start\":\"2024-03-20T07:00:00Z\","
                            + "\"end\":\"2024-03-20T08:00:00Z\",\"durationSeconds\":3600,\"occurredAt\":\"2024-03-20T08:00:01Z\","
                            + "\"receivedAt\":\"2024-03-20T08:00:02Z\",\"attributes\":{\"customers_id\":12,\"projects_id\":null,\"subprojects_id\":null,"
                            + "\"billable\":1,\"texts_id\":null,\"time_insert\":\"2024-03-20T07:00:00Z\",\"time_last_change\":\"2024-03-20T08:00:00Z\","
                            + "\"test_data\":false,\"type\":1,\"services_id\":3,\"clocked\":false,\"clocked_offline\":false,"
                            + "\"time_clocked_since\":\"2024-03-20T07:00:00Z\",\"time_last_change_work_time\":\"2024-03-20T08:00:00Z\",\"hourly_rate\":null}}"),
            row("clockodo:time_entry:102", "clockodo", "time_entry", "102", "7", "2024-03-20 09:00:00", "2024-03-20 09:00:00", null, "0",
                    "{\"recordId\":\"clockodo:time_entry:102\",\"eventId\":\"evt-v1-5\",\"source\":\"clockodo\",\"eventType\":\"entry.created\","
                            + "\"action\":\"upsert\",\"entity\":\"time_entry\",\"entityId\":\"102\",\"userId\":\"7\",\"start\":\"2024-03-20T09:00:00Z\","
                            + "\"end\":\"2024-03-20T09:00:00Z\",\"durationSeconds\":0,\"occurredAt\":\"2024-03-20T09:00:01Z\","
                            + "\"receivedAt\":\"2024-03-20T09:00:02Z\",\"attributes\":{\"customers_id\":12,\"projects_id\":null,\"billable\":1,"
                            + "\"texts_id\":null,\"time_insert\":\"2024-03-20T09:00:00Z\",\"time_last_change\":\"2024-03-20T09:00:00Z\",\"test_data\":false,"
                            + "\"type\":2,\"services_id\":3,\"lumpsum\":45.5}}"),
            row("clockodo:absence:201", "clockodo", "absence", "201", "7", "2024-03-18 00:00:00", "2024-03-20 00:00:00", null, null,
                    "{\"recordId\":\"clockodo:absence:201\",\"eventId\":\"evt-v1-6\",\"source\":\"clockodo\",\"eventType\":\"absence.updated\","
                            + "\"action\":\"upsert\",\"entity\":\"absence\",\"entityId\":\"201\",\"userId\":\"7\",\"start\":\"2024-03-18T00:00:00Z\","
                            + "\"end\":\"2024-03-20T00:00:00Z\",\"occurredAt\":\"2024-03-15T10:00:00Z\",\"receivedAt\":\"2024-03-15T10:00:01Z\","
                            + "\"attributes\":{\"date_since\":\"2024-03-18\",\"date_until\":\"2024-03-19\",\"status\":2,\"type\":1,\"note\":null,"
                            + "\"public_note\":\"\",\"sick_note\":null,\"count_days\":2.0,\"count_hours\":null,\"date_enquired\":\"2024-03-01\","
                            + "\"date_approved\":null,\"approved_by\":9}}"),
            row("clockodo:absence:202", "clockodo", "absence", "202", "7", "2024-03-21 00:00:00", "2024-03-22 00:00:00", null, null,
                    "{\"recordId\":\"clockodo:absence:202\",\"eventId\":\"evt-v1-7\",\"source\":\"clockodo\",\"eventType\":\"absence.approved\","
                            + "\"action\":\"upsert\",\"entity\":\"absence\",\"entityId\":\"202\",\"userId\":\"7\",\"start\":\"2024-03-21T00:00:00Z\","
                            + "\"end\":\"2024-03-22T00:00:00Z\",\"occurredAt\":\"2024-03-16T10:00:00Z\",\"receivedAt\":\"2024-03-16T10:00:01Z\","
                            + "\"attributes\":{\"date_since\":\"2024-03-21\",\"date_until\":\"2024-03-21\",\"status\":1,\"type\":3,\"note\":null,"
                            + "\"public_note\":\"\",\"sick_note\":null,\"count_days\":null,\"count_hours\":2.5,\"date_enquired\":\"2024-03-10\","
                            + "\"date_approved\":\"2024-03-16\",\"approved_by\":9}}"),
            row("clockeye:time_entry:te_v1", "clockeye", "time_entry", "te_v1", "usr_xyz789", "2024-01-15 09:00:00", "2024-01-15 10:00:00",
                    null, "3600",
                    "{\"recordId\":\"clockeye:time_entry:te_v1\",\"eventId\":\"evt_v1_8\",\"source\":\"clockeye\",\"eventType\":\"time_entry.created\","
                            + "\"action\":\"upsert\",\"entity\":\"time_entry\",\"entityId\":\"te_v1\",\"userId\":\"usr_xyz789\","
                            + "\"start\":\"2024-01-15T09:00:00Z\",\"end\":\"2024-01-15T10:00:00Z\",\"durationSeconds\":3600,"
                            + "\"occurredAt\":\"2024-01-15T10:30:00Z\",\"receivedAt\":\"2024-01-15T10:30:01Z\",\"attributes\":{\"project_id\":\"prj_1\"}}"));

    @TempDir
    static Path folder;
    static EmbeddedPostgres postgres;

    @BeforeAll
    static void startPostgres() throws IOException {
        postgres = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        postgres.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"h2", "postgresql", "mariadb"})
    void aVersion1TableIsMigratedInPlaceAndThenChangedByVersion2sRules(String dialect) throws SQLException {
        String url = switch (dialect) {
            case "h2" -> "jdbc:h2:file:" + folder.resolve("payroll-v1").toAbsolutePath();
            case "postgresql" -> "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";
            default -> EmbeddedMariaDb.newDatabase();
        };
        String user = switch (dialect) {
            case "h2" -> "sa";
            case "postgresql" -> "postgres";
            default -> "root";
        };
        Flyway.configure().dataSource(url, user, "").locations("classpath:db/payroll/" + dialect)
                .table("clockrelay_payroll_history").target("1").load().migrate();
        writeVersion1Rows(url, user, dialect);

        try (RunningClockrelay app = RunningClockrelay.start(folder.resolve("store-" + dialect), Map.of(
                "clockrelay.connecteam.secrets", SECRET,
                "clockrelay.connecteam.time-off-types", VACATION_POLICY + ":vacation",
                "clockrelay.target.payroll-db.url", url,
                "clockrelay.target.payroll-db.user", user))) {
            assertThat(count(url, user, "SELECT COUNT(*) FROM payroll_time_records")).as("every row kept").isEqualTo(VERSION_1_ROWS.size());
            assertThat(RunningClockrelay.query(url, user, "SELECT record, last_event_id FROM payroll_time_records WHERE record_id = ?",
                    "clockodo:absence:201").get(0).get("LAST_EVENT_ID")).isEqualTo("evt-v1-6");

            assertThat(columns(url, user, "connecteam:shift:sh_v1")).isEqualTo(expected("work", null, null, null, 28800L, "2024-03-20"));
            assertThat(columns(url, user, "connecteam:time_off:65d32918a28dbd2c492d76bb"))
                    .as("a day off is a day: its quantity, no seconds").isEqualTo(expected("absence", null, "other", "1 days", null, "2024-03-19"));
            assertThat(columns(url, user, "connecteam:time_off:to_hours_v1"))
                    .as("hours off: their seconds from the quantity").isEqualTo(expected("absence", null, "other", "2.5 hours", 9000L, "2024-03-21"));
            assertThat(columns(url, user, "clockodo:time_entry:101")).isEqualTo(expected("work", null, null, null, 3600L, "2024-03-20"));
            assertThat(columns(url, user, "clockodo:time_entry:102"))
                    .as("a lump sum is no worked time").isEqualTo(expected(null, null, null, null, null, null));
            assertThat(columns(url, user, "clockodo:absence:201"))
                    .as("a declined absence").isEqualTo(expected("absence", "declined", "vacation", "2 days", null, "2024-03-18"));
            assertThat(columns(url, user, "clockodo:absence:202"))
                    .as("overtime reduction in hours").isEqualTo(expected("absence", "approved", "overtime_reduction", "2.5 hours", 9000L, "2024-03-21"));
            assertThat(columns(url, user, "clockeye:time_entry:te_v1")).isEqualTo(expected("work", null, null, null, 3600L, "2024-01-15"));
            assertThat(paidSeconds(url, user, "7")).as("Clockodo's user 7: the hour worked and the approved overtime reduction")
                    .isEqualTo(3600L + 9000L);

            // The day off becomes two days: still no seconds, whatever version 1 wrote.
            send(app, timeActivity("admin_edit", "time_off", "req-v2-1", 146, "{\"id\":\"65d32918a28dbd2c492d76bb\","
                    + "\"start\":{\"timestamp\":1710885600,\"timezone\":\"Asia/Jerusalem\"},\"end\":{\"timestamp\":1711058399,\"timezone\":"
                    + "\"Asia/Jerusalem\"},\"policyTypeId\":\"" + VACATION_POLICY + "\",\"duration\":{\"value\":2.0,\"units\":\"days\"},"
                    + "\"isAllDay\":true}", 1711000000));
            assertThat(awaitColumns(url, user, "connecteam:time_off:65d32918a28dbd2c492d76bb", "admin_edit"))
                    .isEqualTo(expected("absence", null, "vacation", "2 days", null, "2024-03-20"));

            // The hours off become a day off: the seconds go.
            send(app, timeActivity("admin_edit", "time_off", "req-v2-2", 147, "{\"id\":\"to_hours_v1\",\"start\":{\"timestamp\":1710975600,"
                    + "\"timezone\":\"Europe/Vienna\"},\"end\":{\"timestamp\":1711061999,\"timezone\":\"Europe/Vienna\"},\"policyTypeId\":\""
                    + VACATION_POLICY + "\",\"duration\":{\"value\":1.0,\"units\":\"days\"},\"isAllDay\":true}", 1711100000));
            assertThat(awaitColumns(url, user, "connecteam:time_off:to_hours_v1", "admin_edit"))
                    .isEqualTo(expected("absence", null, "vacation", "1 days", null, "2024-03-21"));

            // The shift is declined, then edited by an admin: it counts again, with its new span.
            send(app, "{\"requestId\":\"req-v2-3\",\"company\":\"c1\",\"eventType\":\"admin_declined_request\",\"activityType\":\"shift\","
                    + "\"eventTimestamp\":1711000100,\"userId\":146,\"timeClockId\":67,\"timeActivityId\":\"sh_v1\"}");
            assertThat(awaitColumns(url, user, "connecteam:shift:sh_v1", "admin_declined_request"))
                    .isEqualTo(expected("work", "declined", null, null, 28800L, "2024-03-20"));
            send(app, timeActivity("admin_edit", "shift", "req-v2-4", 146, "{\"id\":\"sh_v1\",\"start\":{\"timestamp\":1710914400,"
                    + "\"timezone\":\"Europe/Vienna\"},\"end\":{\"timestamp\":1710939600,\"timezone\":\"Europe/Vienna\"}}", 1711000300));
            assertThat(awaitColumns(url, user, "connecteam:shift:sh_v1", "admin_edit"))
                    .isEqualTo(expected("work", null, null, null, 25200L, "2024-03-20"));

            // A decline older than that edit, arriving late: the edit said all there is, so it fills nothing.
            send(app, "{\"requestId\":\"req-v2-5\",\"company\":\"c1\",\"eventType\":\"admin_declined_request\",\"activityType\":\"shift\","
                    + "\"eventTimestamp\":1711000200,\"userId\":146,\"timeClockId\":67,\"timeActivityId\":\"sh_v1\"}");
            app.awaitRow("SELECT id FROM deliveries WHERE event_id = 'req-v2-5' AND target = 'payroll-db' AND status = 'delivered'");
            assertThat(columns(url, user, "connecteam:shift:sh_v1")).isEqualTo(expected("work", null, null, null, 25200L, "2024-03-20"));
            assertThat(paidSeconds(url, user, "146")).as("user 146: the edited shift; two days off counted in days").isEqualTo(25200L);
        }
    }

    private static String[] row(String... values) {
        return values;
    }

    private static void writeVersion1Rows(String url, String user, String dialect) throws SQLException {
        String timestamp = switch (dialect) {
            case "postgresql" -> "CAST(? AS TIMESTAMPTZ)";
            case "mariadb" -> "CAST(? AS DATETIME(6))";
            default -> "CAST(? AS TIMESTAMP WITH TIME ZONE)";
        };
        String record = dialect.equals("postgresql") ? "CAST(? AS JSONB)" : "?";
        try (Connection connection = DriverManager.getConnection(url, user, "");
             PreparedStatement insert = connection.prepareStatement("INSERT INTO payroll_time_records (record_id, source, entity, entity_id,"
                     + " user_id, starts_at, ends_at, timezone, duration_seconds, deleted, last_event_id, last_event_type, last_event_at, record)"
                     + " VALUES (?, ?, ?, ?, ?, " + timestamp + ", " + timestamp + ", ?, ?, FALSE, ?, ?, " + timestamp + ", " + record + ")")) {
            for (String[] row : VERSION_1_ROWS) {
                com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(row[9]);
                for (int i = 0; i < 9; i++) {
                    String value = i == 5 || i == 6 ? (dialect.equals("mariadb") ? row[i] : row[i] + "+00") : row[i];
                    if (i == 8) {
                        insert.setObject(9, value == null ? null : Long.valueOf(value));
                    } else {
                        insert.setString(i + 1, value);
                    }
                }
                insert.setString(10, json.get("eventId").asText());
                insert.setString(11, json.get("eventType").asText());
                String occurredAt = json.get("occurredAt").asText().replace('T', ' ').replace("Z", "");
                insert.setString(12, dialect.equals("mariadb") ? occurredAt : occurredAt + "+00");
                insert.setString(13, row[9]);
                insert.addBatch();
            }
            insert.executeBatch();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The version-2 columns of a row, alike whichever database returned them. */
    private static Map<String, Object> columns(String url, String user, String recordId) {
        Map<String, Object> row = RunningClockrelay.query(url, user, "SELECT * FROM payroll_time_records WHERE record_id = ?", recordId).get(0);
        Map<String, Object> columns = new LinkedHashMap<>();
        columns.put("time_kind", row.get("TIME_KIND"));
        columns.put("status", row.get("STATUS"));
        columns.put("absence_type", row.get("ABSENCE_TYPE"));
        columns.put("quantity", row.get("QUANTITY_VALUE") == null ? null
                : ((BigDecimal) row.get("QUANTITY_VALUE")).stripTrailingZeros().toPlainString() + " " + row.get("QUANTITY_UNIT"));
        columns.put("duration_seconds", row.get("DURATION_SECONDS") == null ? null : ((Number) row.get("DURATION_SECONDS")).longValue());
        columns.put("work_date", row.get("WORK_DATE") == null ? null : row.get("WORK_DATE").toString());
        return columns;
    }

    private static Map<String, Object> expected(String timeKind, String status, String absenceType, String quantity, Long seconds, String workDate) {
        Map<String, Object> columns = new LinkedHashMap<>();
        columns.put("time_kind", timeKind);
        columns.put("status", status);
        columns.put("absence_type", absenceType);
        columns.put("quantity", quantity);
        columns.put("duration_seconds", seconds);
        columns.put("work_date", workDate);
        return columns;
    }

    private static Map<String, Object> awaitColumns(String url, String user, String recordId, String lastEventType) {
        RunningClockrelay.awaitRow(url, user, row -> lastEventType.equals(row.get("LAST_EVENT_TYPE")),
                "SELECT last_event_type FROM payroll_time_records WHERE record_id = ?", recordId);
        return columns(url, user, recordId);
    }

    /** What to pay a user: NOT deleted AND (status IS NULL OR status = 'approved'), seconds of every kind of time. */
    private static long paidSeconds(String url, String user, String userId) {
        return count(url, user, "SELECT COALESCE(SUM(duration_seconds), 0) FROM payroll_time_records WHERE user_id = ? AND NOT deleted"
                + " AND (status IS NULL OR status = 'approved') AND time_kind IS NOT NULL", userId);
    }

    private static long count(String url, String user, String sql, Object... parameters) {
        return ((Number) RunningClockrelay.query(url, user, sql, parameters).get(0).values().iterator().next()).longValue();
    }

    private static String timeActivity(String eventType, String activityType, String requestId, int userId, String activity, long eventTimestamp) {
        return "{\"requestId\":\"" + requestId + "\",\"company\":\"c1\",\"eventType\":\"" + eventType + "\",\"activityType\":\"" + activityType
                + "\",\"eventTimestamp\":" + eventTimestamp + ",\"data\":{\"userId\":" + userId + ",\"timeClockId\":67,\"timeActivity\":" + activity + "}}";
    }

    private static void send(RunningClockrelay app, String body) {
        assertThat(app.post("/webhooks/connecteam", "application/json", body.getBytes(StandardCharsets.UTF_8), "X-Webhook-Secret", SECRET).body())
                .isEqualTo("{\"status\":\"accepted\"}");
    }
}
