package io.clockrelay;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Connecteam's request path over real HTTP: the secret header or URL token, rotation, and de-duplication. */
class ConnecteamReceiveTest {

    private static final String SECRET = "connecteam-current-secret-1";
    private static final String PREVIOUS = "connecteam-previous-secret-0";
    @TempDir
    static Path folder;
    static RunningClockrelay app;

    @BeforeAll
    static void start() {
        app = RunningClockrelay.start(folder, Map.of("clockrelay.connecteam.secrets", SECRET + "," + PREVIOUS));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("no secret at all", "/webhooks/connecteam", new String[0], "is missing"),
                Arguments.of("empty header", "/webhooks/connecteam", new String[] {"X-Webhook-Secret", ""}, "is missing"),
                Arguments.of("wrong header", "/webhooks/connecteam", new String[] {"X-Webhook-Secret", "connecteam-guessed-secret-1"}, "does not match"),
                Arguments.of("secret in the wrong case", "/webhooks/connecteam", new String[] {"X-Webhook-Secret", SECRET.toUpperCase()}, "does not match"),
                Arguments.of("secret with a suffix", "/webhooks/connecteam", new String[] {"X-Webhook-Secret", SECRET + "x"}, "does not match"),
                Arguments.of("wrong token", "/webhooks/connecteam?token=connecteam-guessed-secret-1", new String[0], "does not match"),
                Arguments.of("token in the wrong case", "/webhooks/connecteam?token=" + SECRET.toUpperCase(), new String[0], "does not match"),
                Arguments.of("repeated header", "/webhooks/connecteam", new String[] {"X-Webhook-Secret", SECRET, "X-Webhook-Secret", SECRET}, "more than once"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void withoutTheSecretARequestIsRefusedWith401AndNothingIsStored(String name, String path, String[] headers, String expected) {
        long before = app.count("SELECT COUNT(*) FROM inbox");

        HttpResponse<String> response = app.post(path, "application/json", bytes(event("req-refused")), headers);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).contains(expected).doesNotContain(SECRET).doesNotContain(PREVIOUS);
        assertThat(app.count("SELECT COUNT(*) FROM inbox")).isEqualTo(before);
    }

    @Test
    void theHeaderTheUrlTokenAndThePreviousSecretAreEachAccepted() {
        assertThat(app.post("/webhooks/connecteam", "application/json", bytes(event("req-header")), "X-Webhook-Secret", SECRET).body())
                .isEqualTo("{\"status\":\"accepted\"}");
        assertThat(app.post("/webhooks/connecteam?token=" + SECRET, "application/json", bytes(event("req-token"))).body())
                .isEqualTo("{\"status\":\"accepted\"}");
        assertThat(app.post("/webhooks/connecteam", "application/json", bytes(event("req-previous")), "X-Webhook-Secret", PREVIOUS).body())
                .isEqualTo("{\"status\":\"accepted\"}");
        assertThat(app.post("/webhooks/connecteam?token=" + SECRET, "application/json", bytes(event("req-either")),
                "X-Webhook-Secret", "an-old-header-value-000").body())
                .as("a right token with a stale header").isEqualTo("{\"status\":\"accepted\"}");
    }

    @Test
    void aRetriedRequestIsADuplicateByRequestIdAndAFlatPayloadByItsDigest() {
        assertThat(post(event("req-dup")).body()).isEqualTo("{\"status\":\"accepted\"}");
        assertThat(post(event("req-dup")).body()).isEqualTo("{\"status\":\"duplicate\"}");

        String flat = RunningClockrelay.fixture("connecteam", "time-activity/clock_in.shift");
        assertThat(post(flat).body()).isEqualTo("{\"status\":\"accepted\"}");
        assertThat(post(flat).body()).isEqualTo("{\"status\":\"duplicate\"}");

        assertThat(app.count("SELECT COUNT(*) FROM inbox WHERE source = 'connecteam' AND event_id = 'req-dup'")).isEqualTo(1);
        assertThat(app.rows("SELECT event_id FROM inbox WHERE event_type = 'clock_in' AND source = 'connecteam'"))
                .singleElement().satisfies(row -> assertThat((String) row.get("EVENT_ID")).matches("sha256:[0-9a-f]{64}"));
    }

    @Test
    void aPayloadWithoutEventTypeIsRefusedWith400() {
        HttpResponse<String> response = post("{\"requestId\":\"req-no-type\",\"data\":{}}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("'eventType' is missing");
    }

    private static HttpResponse<String> post(String body) {
        return app.post("/webhooks/connecteam", "application/json", bytes(body), "X-Webhook-Secret", SECRET);
    }

    private static String event(String requestId) {
        return "{\"requestId\":\"" + requestId + "\",\"company\":\"c1\",\"eventType\":\"user_deleted\",\"activityType\":\"User\","
                + "\"eventTimestamp\":1731600000,\"data\":[{\"userId\":42}]}";
    }

    private static byte[] bytes(String body) {
        return body.getBytes(StandardCharsets.UTF_8);
    }
}
