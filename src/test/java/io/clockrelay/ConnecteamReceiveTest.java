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
    private static final String MISMATCH = "neither X-Webhook-Secret, X-Connecteam-Signature nor the token matches CONNECTEAM_WEBHOOK_SECRET";
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
                Arguments.of("no secret at all", "/webhooks/connecteam", new String[0], "are all missing"),
                Arguments.of("empty header", "/webhooks/connecteam", new String[] {"X-Webhook-Secret", ""}, "are all missing"),
                Arguments.of("wrong header", "/webhooks/connecteam", new String[] {"X-Webhook-Secret", "connecteam-guessed-secret-1"}, MISMATCH),
                Arguments.of("secret in the wrong case", "/webhooks/connecteam", new String[] {"X-Webhook-Secret", SECRET.toUpperCase()}, MISMATCH),
                Arguments.of("secret with a suffix", "/webhooks/connecteam", new String[] {"X-Webhook-Secret", SECRET + "x"}, MISMATCH),
                Arguments.of("wrong token", "/webhooks/connecteam?token=connecteam-guessed-secret-1", new String[0], MISMATCH),
                Arguments.of("token in the wrong case", "/webhooks/connecteam?token=" + SECRET.toUpperCase(), new String[0], MISMATCH),
                Arguments.of("signature of another body", "/webhooks/connecteam",
                        new String[] {"X-Connecteam-Signature", hmac(SECRET, event("req-other"))}, MISMATCH),
                Arguments.of("signature under a guessed secret", "/webhooks/connecteam",
                        new String[] {"X-Connecteam-Signature", hmac("connecteam-guessed-secret-1", event("req-refused"))}, MISMATCH),
                Arguments.of("signature with a prefix", "/webhooks/connecteam",
                        new String[] {"X-Connecteam-Signature", "sha256=" + hmac(SECRET, event("req-refused"))}, MISMATCH),
                Arguments.of("repeated header", "/webhooks/connecteam", new String[] {"X-Webhook-Secret", SECRET, "X-Webhook-Secret", SECRET}, "more than once"),
                Arguments.of("repeated signature", "/webhooks/connecteam", new String[] {"X-Connecteam-Signature", SECRET,
                        "X-Connecteam-Signature", SECRET}, "more than once"));
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
    void aSignatureOfTheBodyOrTheSecretItselfInXConnecteamSignatureIsAccepted() {
        String hex = event("req-hmac");
        assertThat(app.post("/webhooks/connecteam", "application/json", bytes(hex), "X-Connecteam-Signature", hmac(SECRET, hex)).body())
                .as("hex HMAC-SHA256 of the raw body").isEqualTo("{\"status\":\"accepted\"}");
        String upper = event("req-hmac-upper");
        assertThat(app.post("/webhooks/connecteam", "application/json", bytes(upper), "X-Connecteam-Signature",
                hmac(PREVIOUS, upper).toUpperCase()).body()).as("under the previous secret, in capitals").isEqualTo("{\"status\":\"accepted\"}");
        assertThat(app.post("/webhooks/connecteam", "application/json", bytes(event("req-plain-signature")), "X-Connecteam-Signature", SECRET).body())
                .as("the secret itself, as some receivers read it").isEqualTo("{\"status\":\"accepted\"}");
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

    static String hmac(String secret, String body) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return java.util.HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] bytes(String body) {
        return body.getBytes(StandardCharsets.UTF_8);
    }
}
