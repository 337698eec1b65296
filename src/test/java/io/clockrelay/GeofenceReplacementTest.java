package io.clockrelay;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Connecteam's approved clock-out outside the geofence (or without NFC): Connecteam deletes the shift it made at
 * clock-in and sends only the new one. The payroll target flags deleted that shift and nothing else: not another
 * employee's shift, not the same employee's shift of another day or on another time clock, not a break. The same
 * case on each dialect's statement: the shipped target on H2 and copies of it on PostgreSQL 17 and MariaDB 11.4
 * (both embedded), as an integration engineer would add them.
 */
class GeofenceReplacementTest {

    private static final long CLOCK_IN = 1720200000L;
    private static final long CLOCK_OUT = CLOCK_IN + 8 * 3600;

    @TempDir
    static Path folder;
    static EmbeddedPostgres postgres;
    static String mariaUrl;
    static RunningClockrelay app;

    @BeforeAll
    static void start() throws IOException {
        postgres = EmbeddedPostgres.builder().start();
        mariaUrl = EmbeddedMariaDb.newDatabase();
        Path routes = Files.createDirectories(folder.resolve("routes"));
        String shipped = Files.readString(Path.of("src/main/resources/routes/targets/payroll-db.camel.yaml"));
        Map<String, String> settings = new HashMap<>();
        settings.put("clockrelay.connecteam.secrets", ConnecteamEventsToPayrollTest.SECRET);
        settings.put("clockrelay.routes.dir", routes.toString());
        for (String dialect : new String[] {"postgresql", "mariadb"}) {
            String target = target(dialect);
            Files.writeString(routes.resolve(target + ".camel.yaml"), shipped.replace("payroll-db", target));
            settings.put("clockrelay.target." + target + ".type", "jdbc");
            settings.put("clockrelay.target." + target + ".url", url(dialect));
            settings.put("clockrelay.target." + target + ".user", user(dialect));
            settings.put("clockrelay.target." + target + ".create-table", "true");
            settings.put("clockrelay.target." + target + ".filter", "${body[recordId]} contains '_" + dialect + "'");
        }
        app = RunningClockrelay.start(folder, settings);
    }

    @AfterAll
    static void stop() throws IOException {
        app.close();
        postgres.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"h2", "postgresql", "mariadb"})
    void anApprovedClockOutOutsideTheGeofenceReplacesTheShiftMadeAtClockInAndNothingElse(String dialect) {
        String user = switch (dialect) {
            case "h2" -> "503";
            case "postgresql" -> "504";
            default -> "505";
        };
        String other = user + "9";
        send(dialect, "clock_in", "shift", "in", user, 67, "first", CLOCK_IN, null, CLOCK_IN + 1);
        // What must stay: another employee's shift on the same clock at the same time, the employee's shift of the
        // day before, the one that ended as the clock-in shift began, one on another time clock, a break.
        send(dialect, "admin_add", "shift", "other-user", other, 67, "other_user", CLOCK_IN, CLOCK_OUT, CLOCK_IN + 2);
        send(dialect, "admin_add", "shift", "day-before", user, 67, "day_before", CLOCK_IN - 86400, CLOCK_OUT - 86400, CLOCK_IN + 3);
        send(dialect, "admin_add", "shift", "earlier", user, 67, "earlier", CLOCK_IN - 3600, CLOCK_IN, CLOCK_IN + 4);
        send(dialect, "admin_add", "shift", "other-clock", user, 68, "other_clock", CLOCK_IN + 600, CLOCK_OUT - 600, CLOCK_IN + 5);
        send(dialect, "admin_add", "manual_break", "break", user, 67, "break", CLOCK_IN + 3600, CLOCK_IN + 5400, CLOCK_IN + 6);
        String[] controls = {"shift:geo_other_user_", "shift:geo_day_before_", "shift:geo_earlier_", "shift:geo_other_clock_", "break:geo_break_"};
        for (String control : controls) {
            awaitRow(dialect, "connecteam:" + control + dialect, "admin_add");
        }
        awaitRow(dialect, "connecteam:shift:geo_first_" + dialect, "clock_in");

        send(dialect, "admin_approved_clock_out_outside_geo_fence_request", "shift", "ok", user, 67, "new", CLOCK_IN, CLOCK_OUT, CLOCK_OUT + 1200);
        Map<String, Object> replacement = awaitRow(dialect, "connecteam:shift:geo_new_" + dialect, "admin_approved_clock_out_outside_geo_fence_request");
        Map<String, Object> first = awaitRow(dialect, "connecteam:shift:geo_first_" + dialect, "admin_approved_clock_out_outside_geo_fence_request");

        assertThat(replacement).containsEntry("DELETED", false).containsEntry("DURATION_SECONDS", 28_800L).containsEntry("STATUS", "approved");
        assertThat(RunningClockrelay.instant(replacement.get("ENDS_AT"))).isEqualTo(Instant.ofEpochSecond(CLOCK_OUT));
        assertThat(first).as("the shift made at clock-in, which Connecteam deleted").containsEntry("DELETED", true);
        Map<String, Object> deleted = new java.util.TreeMap<>();
        for (String control : controls) {
            deleted.put(control, RunningClockrelay.query(url(dialect), user(dialect), "SELECT deleted FROM payroll_time_records WHERE record_id = ?",
                    "connecteam:" + control + dialect).get(0).get("DELETED"));
        }
        assertThat(deleted).as("none of these is what Connecteam replaced").allSatisfy((control, flag) -> assertThat(flag).isEqualTo(false));
    }

    /** A time activity of the dialect's own (its id ends with the dialect, which the copies' filters select). */
    private static void send(String dialect, String eventType, String activityType, String request, String userId, int timeClockId,
                             String activity, long start, Long end, long eventTimestamp) {
        String body = "{\"requestId\":\"req-geo-" + request + "-" + dialect + "\",\"company\":\"c1\",\"eventType\":\"" + eventType
                + "\",\"activityType\":\"" + activityType + "\",\"eventTimestamp\":" + eventTimestamp + ",\"data\":{\"userId\":" + userId
                + ",\"timeClockId\":" + timeClockId + ",\"timeActivity\":{\"id\":\"geo_" + activity + "_" + dialect + "\",\"start\":{\"timestamp\":"
                + start + ",\"timezone\":\"UTC\"}" + (end == null ? "" : ",\"end\":{\"timestamp\":" + end + ",\"timezone\":\"UTC\"}")
                + (activityType.equals("manual_break") ? ",\"manualBreakId\":\"mb-geo\"" : "") + "}}}";
        assertThat(ConnecteamEventsToPayrollTest.postTo(app, body).body()).isEqualTo("{\"status\":\"accepted\"}");
    }

    private static Map<String, Object> awaitRow(String dialect, String recordId, String lastEventType) {
        return RunningClockrelay.awaitRow(url(dialect), user(dialect), row -> lastEventType.equals(row.get("LAST_EVENT_TYPE")),
                "SELECT * FROM payroll_time_records WHERE record_id = ?", recordId);
    }

    private static String target(String dialect) {
        return switch (dialect) {
            case "h2" -> "payroll-db";
            case "postgresql" -> "payroll-pg";
            default -> "payroll-maria";
        };
    }

    private static String url(String dialect) {
        return switch (dialect) {
            case "h2" -> app.storeUrl;
            case "postgresql" -> "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";
            default -> mariaUrl;
        };
    }

    private static String user(String dialect) {
        return switch (dialect) {
            case "h2" -> "sa";
            case "postgresql" -> "postgres";
            default -> "root";
        };
    }
}
