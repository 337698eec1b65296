package io.clockrelay;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Clockodo's request path over real HTTP: the validation handshake and its admin view, the token matrix, and
 * notifications kept while the API credentials are missing.
 */
class ClockodoReceiveTest {

    private static final String TOKEN = "clockodo-current-token-01";
    private static final String PREVIOUS = "clockodo-previous-token-0";
    private static final String ADMIN = "admin-token-for-tests-0001";
    @TempDir
    static Path folder;
    static RunningClockrelay app;

    @BeforeAll
    static void start() {
        app = RunningClockrelay.start(folder, Map.of(
                "clockrelay.clockodo.tokens", TOKEN + "," + PREVIOUS,
                "clockrelay.admin.token", ADMIN));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void aValidationIsAnswered200InEveryFormStoresNothingAndIsListedForTheOperator() {
        long before = app.count("SELECT COUNT(*) FROM inbox");

        HttpResponse<String> query = app.post("/webhooks/clockodo?secret=from-the-query-1", null, new byte[0]);
        HttpResponse<String> body = app.post("/webhooks/clockodo", "application/json", bytes("{\"secret\":\"from-the-body-2\"}"));
        HttpResponse<String> get = app.get(app.port, "/webhooks/clockodo?secret=from-a-get-3");

        assertThat(query.statusCode()).isEqualTo(200);
        assertThat(body.statusCode()).isEqualTo(200);
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(body.body()).isEqualTo("{\"status\":\"validated\"}");
        assertThat(app.count("SELECT COUNT(*) FROM inbox")).isEqualTo(before);
        String view = app.get(app.managementPort, "/admin/clockodo-validations", "Authorization", "Bearer " + ADMIN).body();
        assertThat(view).contains("from-the-query-1", "from-the-body-2", "from-a-get-3");
        assertThat(view.indexOf("from-a-get-3")).as("newest first").isLessThan(view.indexOf("from-the-query-1"));
    }

    @Test
    void theAdminViewWantsTheAdminToken() {
        assertThat(app.get(app.managementPort, "/admin/clockodo-validations").statusCode()).isEqualTo(401);
        assertThat(app.get(app.managementPort, "/admin/clockodo-validations", "Authorization", "Bearer not-the-token").statusCode()).isEqualTo(401);
        assertThat(app.get(app.managementPort, "/admin/no-such-action", "Authorization", "Bearer " + ADMIN).statusCode()).isEqualTo(404);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "missing token    | '\"subscription_id\":1'                  | 'token' is missing",
            "wrong token      | '\"token\":\"clockodo-guessed-token-1\"'  | 'token' does not match",
            "token wrong case | '\"token\":\"CLOCKODO-CURRENT-TOKEN-01\"' | 'token' does not match",
            "numeric token    | '\"token\":12345'                          | 'token' must be a string"})
    void aNotificationWithoutTheTokenIsRefusedWith401AndNothingIsStored(String name, String tokenField, String expected) {
        long before = app.count("SELECT COUNT(*) FROM inbox");
        String body = "{\"occurred_at\":\"2024-01-01T00:00:00Z\",\"event_name\":\"entry.created\",\"payload\":{\"entry\":{\"id\":1}}," + tokenField + "}";

        HttpResponse<String> response = app.post("/webhooks/clockodo", "application/json", bytes(body));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).contains(expected).doesNotContain(TOKEN);
        assertThat(app.count("SELECT COUNT(*) FROM inbox")).isEqualTo(before);
    }

    @Test
    void theCurrentAndThePreviousTokenAreAcceptedAndARepeatIsADuplicate() {
        String first = notification("entry.updated", "entry", 77, "2024-05-01T10:00:00Z", TOKEN);
        String sameWithPrevious = notification("entry.updated", "entry", 77, "2024-05-01T10:00:00Z", PREVIOUS);
        String later = notification("entry.updated", "entry", 77, "2024-05-01T10:05:00Z", PREVIOUS);

        assertThat(post(first).body()).isEqualTo("{\"status\":\"accepted\"}");
        assertThat(post(sameWithPrevious).body()).as("same event name, entity, id and occurred_at").isEqualTo("{\"status\":\"duplicate\"}");
        assertThat(post(later).body()).isEqualTo("{\"status\":\"accepted\"}");
    }

    @Test
    void withoutApiCredentialsNotificationsAreKeptAndTheHealthCheckSaysWhy() {
        assertThat(post(notification("absence.created", "absence", 501, "2024-06-01T08:00:00Z", TOKEN)).body()).isEqualTo("{\"status\":\"accepted\"}");

        // The pipeline has run (a ClockEye webhook sent afterwards is delivered); the notification was not touched:
        // it waits, due, for the credentials, not on a back-off that grew while they were missing.
        app.postClockEye("{\"id\":\"evt_after_clockodo\",\"type\":\"project.created\",\"created_at\":\"2024-06-01T08:00:01Z\","
                + "\"data\":{\"id\":\"prj_after\",\"name\":\"After\"}}");
        app.awaitRow("SELECT * FROM deliveries WHERE event_id = 'evt_after_clockodo' AND status = 'delivered'");
        Map<String, Object> kept = app.rows("SELECT * FROM inbox WHERE event_id = 'absence.created:absence:501:2024-06-01T08:00:00Z'").get(0);
        assertThat(kept).containsEntry("STATUS", "pending").containsEntry("ATTEMPTS", 0).containsEntry("CLAIM_TOKEN", null);
        assertThat(app.get(app.managementPort, "/observe/health?exposureLevel=full").body())
                .contains("Clockodo enrichment is not configured: set CLOCKODO_API_USER and CLOCKODO_API_KEY");
        assertThat(app.get(app.managementPort, "/observe/health").statusCode()).isEqualTo(200);
    }

    @Test
    void aNotificationWithoutAnEntityIdIsRefusedWith400() {
        HttpResponse<String> response = post("{\"occurred_at\":\"2024-01-01T00:00:00Z\",\"event_name\":\"entry.created\",\"payload\":{\"entry\":{}},\"token\":\"" + TOKEN + "\"}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("'payload.entry.id'");
    }

    private static String notification(String eventName, String kind, int id, String occurredAt, String token) {
        return "{\"subscription_id\":1,\"company_id\":2,\"occurred_at\":\"" + occurredAt + "\",\"event_name\":\"" + eventName
                + "\",\"payload\":{\"" + kind + "\":{\"id\":" + id + "}},\"token\":\"" + token + "\"}";
    }

    private static HttpResponse<String> post(String body) {
        return app.post("/webhooks/clockodo", "application/json", bytes(body));
    }

    private static byte[] bytes(String body) {
        return body.getBytes(StandardCharsets.UTF_8);
    }
}
