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

/** The ClockEye request path over real HTTP: what is accepted, what is refused and why, and that a refusal stores nothing. */
class ClockEyeReceiveTest {

    private static final String PREVIOUS_SECRET = "clockeye-previous-secret-9";
    @TempDir
    static Path folder;
    static RunningClockrelay app;

    @BeforeAll
    static void start() {
        app = RunningClockrelay.start(folder, Map.of("clockrelay.clockeye.secrets", PREVIOUS_SECRET + ", " + RunningClockrelay.CLOCKEYE_SECRET));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    static Stream<Arguments> badSignatures() {
        String body = event("evt_sig");
        String valid = ClockEyeSignature.of(RunningClockrelay.CLOCKEYE_SECRET, body);
        return Stream.of(
                Arguments.of("missing", null, "is missing"),
                Arguments.of("empty", "", "is missing"),
                Arguments.of("unprefixed", valid.substring("sha256=".length()), "must start with 'sha256='"),
                Arguments.of("other algorithm", "sha1=" + valid.substring(7), "must start with 'sha256='"),
                Arguments.of("not hex", "sha256=" + "zz".repeat(32), "64 hexadecimal digits"),
                Arguments.of("too short", valid.substring(0, valid.length() - 2), "64 hexadecimal digits"),
                Arguments.of("too long", valid + "00", "64 hexadecimal digits"),
                Arguments.of("wrong secret", ClockEyeSignature.of("not-the-secret-at-all-00", body), "does not match"),
                Arguments.of("for another body", ClockEyeSignature.of(RunningClockrelay.CLOCKEYE_SECRET, event("evt_other")), "does not match"),
                Arguments.of("over-long", "sha256=" + "a".repeat(4000), "64 hexadecimal digits"));
    }

    @ParameterizedTest(name = "{0} signature")
    @MethodSource("badSignatures")
    void aBadSignatureIsRefusedWith401AndNothingIsStored(String name, String signature, String expected) {
        long before = inboxRows();
        HttpResponse<String> response = signature == null
                ? app.post("/webhooks/clockeye", "application/json", bytes(event("evt_sig")))
                : app.post("/webhooks/clockeye", "application/json", bytes(event("evt_sig")), "X-ClockEye-Signature", signature);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(response.body()).startsWith("{\"status\":\"rejected\",\"error\":\"X-ClockEye-Signature").contains(expected);
        assertThat(inboxRows()).isEqualTo(before);
    }

    @Test
    void aSignatureOfNonAsciiBytesIsRefusedWith401() {
        long before = inboxRows();
        Map<String, byte[]> headers = Map.of(
                "Content-Type", bytes("application/json"),
                "X-ClockEye-Signature", bytes("sha256=" + "\u0663".repeat(32)));

        assertThat(app.rawPost("/webhooks/clockeye", headers, bytes(event("evt_utf8")))).isEqualTo(401);
        assertThat(inboxRows()).isEqualTo(before);
    }

    @Test
    void aSignatureHeaderBeyondTheServersHeaderLimitIsRefusedWith431() {
        long before = inboxRows();

        HttpResponse<String> response = app.post("/webhooks/clockeye", "application/json", bytes(event("evt_huge_header")),
                "X-ClockEye-Signature", "sha256=" + "a".repeat(9000));

        assertThat(response.statusCode()).isEqualTo(431);
        assertThat(inboxRows()).isEqualTo(before);
    }

    @Test
    void aRepeatedSignatureHeaderIsRefusedEvenWhenOneValueIsRight() {
        String body = event("evt_twice");
        String valid = ClockEyeSignature.of(RunningClockrelay.CLOCKEYE_SECRET, body);

        HttpResponse<String> response = app.post("/webhooks/clockeye", "application/json", bytes(body),
                "X-ClockEye-Signature", valid, "X-ClockEye-Signature", "sha256=" + "0".repeat(64));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).contains("more than once");
        assertThat(app.count("SELECT COUNT(*) FROM inbox WHERE event_id = 'evt_twice'")).isZero();
    }

    @Test
    void bothSecretsWorkDuringRotationAndUppercaseHexIsAccepted() {
        String signedWithPrevious = event("evt_rotation_old");
        String upper = event("evt_rotation_upper");
        String signature = ClockEyeSignature.of(RunningClockrelay.CLOCKEYE_SECRET, upper);

        assertThat(app.post("/webhooks/clockeye", "application/json", bytes(signedWithPrevious),
                "X-ClockEye-Signature", ClockEyeSignature.of(PREVIOUS_SECRET, signedWithPrevious)).body())
                .isEqualTo("{\"status\":\"accepted\"}");
        assertThat(app.post("/webhooks/clockeye", "application/json", bytes(upper),
                "X-ClockEye-Signature", "sha256=" + signature.substring(7).toUpperCase()).body())
                .isEqualTo("{\"status\":\"accepted\"}");
    }

    @Test
    void aRepeatedEventIsAnsweredDuplicateAndStoredAndDeliveredOnce() {
        String body = event("evt_dup");

        HttpResponse<String> first = app.postClockEye(body);
        HttpResponse<String> second = app.postClockEye(body);

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).isEqualTo("{\"status\":\"accepted\"}");
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(second.body()).isEqualTo("{\"status\":\"duplicate\"}");
        app.awaitRow("SELECT * FROM payroll_time_records WHERE last_event_id = 'evt_dup'");
        app.awaitIdle();
        assertThat(app.count("SELECT COUNT(*) FROM inbox WHERE event_id = 'evt_dup'")).isEqualTo(1);
        assertThat(app.count("SELECT COUNT(*) FROM deliveries WHERE event_id = 'evt_dup'")).isEqualTo(1);
    }

    @Test
    void theSameEventSentManyTimesAtOnceIsAcceptedOnce() throws Exception {
        RunningClockrelay.sameEventAtOnceIsAcceptedOnce(app, "evt_burst_h2");
    }

    @Test
    void theAnswerNeverEchoesTheRequestHeaders() {
        HttpResponse<String> response = app.postClockEye(event("evt_echo"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().map().keySet()).noneMatch(name -> name.equalsIgnoreCase("X-ClockEye-Signature"));
    }

    static Stream<Arguments> malformedBodies() {
        return Stream.of(
                Arguments.of("truncated JSON", "{\"id\":\"evt_x\",\"type\":", "not valid JSON"),
                Arguments.of("empty body", "", "body is empty"),
                Arguments.of("JSON array", "[{\"id\":\"evt_x\",\"type\":\"time_entry.created\"}]", "must be a JSON object"),
                Arguments.of("missing id", "{\"type\":\"time_entry.created\",\"data\":{}}", "'id' is missing"),
                Arguments.of("missing type", "{\"id\":\"evt_no_type\",\"data\":{}}", "'type' is missing"),
                Arguments.of("number id", "{\"id\":42,\"type\":\"time_entry.created\",\"data\":{}}", "'id' must be a string"),
                Arguments.of("blank id", "{\"id\":\"  \",\"type\":\"time_entry.created\",\"data\":{}}", "'id' is empty"),
                Arguments.of("over-long id", "{\"id\":\"" + "i".repeat(300) + "\",\"type\":\"t\",\"data\":{}}", "longer than 255"),
                Arguments.of("nested 10,000 deep", "[".repeat(10_000) + "]".repeat(10_000), "not valid JSON"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedBodies")
    void aSignedButMalformedBodyIsRefusedWith400AndNothingIsStored(String name, String body, String expected) {
        long before = inboxRows();

        HttpResponse<String> response = app.postClockEye(body);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).startsWith("{\"status\":\"rejected\",\"error\":").contains(expected);
        assertThat(inboxRows()).isEqualTo(before);
    }

    @ParameterizedTest(name = "Content-Type {0}")
    @MethodSource("nonJsonContentTypes")
    void aBodyThatIsNotDeclaredJsonIsRefusedWith415(String contentType) {
        long before = inboxRows();
        String body = event("evt_ct");

        HttpResponse<String> response = app.post("/webhooks/clockeye", contentType, bytes(body),
                "X-ClockEye-Signature", ClockEyeSignature.of(RunningClockrelay.CLOCKEYE_SECRET, body));

        assertThat(response.statusCode()).isEqualTo(415);
        assertThat(response.body()).contains("Content-Type must be application/json");
        assertThat(inboxRows()).isEqualTo(before);
    }

    static Stream<String> nonJsonContentTypes() {
        return Stream.of("text/plain", "application/x-www-form-urlencoded", "application/xml", null);
    }

    @Test
    void jsonWithACharsetParameterIsJson() {
        String body = event("evt_charset");
        HttpResponse<String> response = app.post("/webhooks/clockeye", "application/json; charset=utf-8", bytes(body),
                "X-ClockEye-Signature", ClockEyeSignature.of(RunningClockrelay.CLOCKEYE_SECRET, body));

        assertThat(response.statusCode()).isEqualTo(200);
    }

    @Test
    void aBodyOverOneMebibyteIsRefusedWith413() {
        long before = inboxRows();
        String padding = "x".repeat(1024 * 1024);
        String body = "{\"id\":\"evt_big\",\"type\":\"time_entry.created\",\"data\":{\"description\":\"" + padding + "\"}}";

        HttpResponse<String> response = app.postClockEye(body);

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(inboxRows()).isEqualTo(before);
    }

    @Test
    void otherMethodsThanPostAreNotAllowed() {
        HttpResponse<String> response = app.get(app.port, "/webhooks/clockeye");

        assertThat(response.statusCode()).isEqualTo(405);
    }

    private static long inboxRows() {
        return app.count("SELECT COUNT(*) FROM inbox");
    }

    private static String event(String id) {
        return "{\"id\":\"" + id + "\",\"type\":\"time_entry.created\",\"created_at\":\"2024-01-15T10:30:00Z\","
                + "\"data\":{\"id\":\"te_" + id + "\",\"user_id\":\"usr_1\",\"start_time\":\"2024-01-15T09:00:00Z\",\"duration\":60}}";
    }

    private static byte[] bytes(String body) {
        return body.getBytes(StandardCharsets.UTF_8);
    }
}
