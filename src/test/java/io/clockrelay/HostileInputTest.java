package io.clockrelay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an attacker or a broken sender can throw at the webhook port, each over real HTTP: the status, a JSON error
 * that names the problem, and nothing stored or forwarded. Hostile strings that are valid data are stored verbatim
 * and never executed.
 */
class HostileInputTest {

    private static final String CONNECTEAM_SECRET = "connecteam-hostile-secret-01";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path folder;
    static RunningClockrelay app;
    /** HTTP/1.1: one connection per request in flight, as vendors and attackers send them. */
    static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() {
        // More connections than the thousand requests below open at once: the cap on them is WebhookLimitsTest's.
        app = RunningClockrelay.start(folder, Map.of("clockrelay.connecteam.secrets", CONNECTEAM_SECRET,
                "clockrelay.webhooks.max-connections", "2000"));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    static Stream<Arguments> refusals() {
        String valid = event("evt_hostile");
        String nested = "[".repeat(10_000) + "]".repeat(10_000);
        return Stream.of(
                Arguments.of("no signature", "POST", "/webhooks/clockeye", "application/json", valid, List.of(), 401, "X-ClockEye-Signature"),
                Arguments.of("an empty signature", "POST", "/webhooks/clockeye", "application/json", valid,
                        List.of("X-ClockEye-Signature", ""), 401, "X-ClockEye-Signature"),
                Arguments.of("an over-long signature", "POST", "/webhooks/clockeye", "application/json", valid,
                        List.of("X-ClockEye-Signature", "sha256=" + "ab".repeat(2000)), 401, "followed by 64 hexadecimal digits"),
                Arguments.of("a signature for another body", "POST", "/webhooks/clockeye", "application/json", valid,
                        List.of("X-ClockEye-Signature", ClockEyeSignature.of(RunningClockrelay.CLOCKEYE_SECRET, event("evt_other"))), 401, "does not match"),
                Arguments.of("a Connecteam token in the wrong case", "POST", "/webhooks/connecteam?token=" + CONNECTEAM_SECRET.toUpperCase(),
                        "application/json", "{\"requestId\":\"r1\",\"eventType\":\"user_deleted\",\"data\":{}}", List.of(), 401, "nor the token matches"),
                Arguments.of("a body of 0 bytes", "POST", "/webhooks/clockeye", "application/json", "", signed(""), 400, "empty"),
                Arguments.of("a body of 256 KiB + 1", "POST", "/webhooks/clockeye", "application/json", "x".repeat(256 * 1024 + 1),
                        List.of(), 413, "larger than 262144 bytes"),
                Arguments.of("truncated JSON", "POST", "/webhooks/clockeye", "application/json", valid.substring(0, 40),
                        signed(valid.substring(0, 40)), 400, "not valid JSON"),
                Arguments.of("JSON nested 10,000 deep", "POST", "/webhooks/clockeye", "application/json", nested, signed(nested), 400, "not valid JSON"),
                Arguments.of("a JSON array", "POST", "/webhooks/clockeye", "application/json", "[" + valid + "]", signed("[" + valid + "]"),
                        400, "must be a JSON object"),
                Arguments.of("a number where the id belongs", "POST", "/webhooks/clockeye", "application/json",
                        valid.replace("\"evt_hostile\"", "12345"), signed(valid.replace("\"evt_hostile\"", "12345")), 400, "'id' must be a string"),
                Arguments.of("an id of 100 KB", "POST", "/webhooks/clockeye", "application/json",
                        valid.replace("evt_hostile", "e".repeat(100_000)), signed(valid.replace("evt_hostile", "e".repeat(100_000))),
                        400, "'id' is longer than 255 characters"),
                Arguments.of("text/plain", "POST", "/webhooks/clockeye", "text/plain", valid, signed(valid), 415, "application/json"),
                Arguments.of("form encoding", "POST", "/webhooks/clockeye", "application/x-www-form-urlencoded", "id=evt_hostile",
                        signed("id=evt_hostile"), 415, "application/json"),
                Arguments.of("no content type", "POST", "/webhooks/clockeye", null, valid, signed(valid), 415, "missing"),
                Arguments.of("GET", "GET", "/webhooks/clockeye", null, "", List.of(), 405, "use POST"),
                Arguments.of("GET with a trailing slash", "GET", "/webhooks/clockeye/", null, "", List.of(), 405, "use POST"),
                Arguments.of("PUT", "PUT", "/webhooks/clockeye", "application/json", valid, signed(valid), 405, "use POST"),
                Arguments.of("DELETE", "DELETE", "/webhooks/connecteam", null, "", List.of(), 405, "use POST"),
                Arguments.of("DELETE on Clockodo's", "DELETE", "/webhooks/clockodo", null, "", List.of(), 405, "use GET or POST"),
                Arguments.of("an unknown path", "POST", "/webhooks/kronos", "application/json", valid, List.of(), 404, "webhooks go to"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void isRefusedWithAJsonErrorAndNothingIsStoredOrForwarded(String name, String method, String path, String contentType, String body,
                                                              List<String> headers, int status, String error) throws Exception {
        long inbox = app.count("SELECT COUNT(*) FROM inbox");
        long deliveries = app.count("SELECT COUNT(*) FROM deliveries");

        HttpResponse<String> response = send(method, path, contentType, body, headers);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        JsonNode answer = JSON.readTree(response.body());
        assertThat(answer.path("status").asText()).isEqualTo("rejected");
        assertThat(answer.path("error").asText()).contains(error).doesNotContain(RunningClockrelay.CLOCKEYE_SECRET, CONNECTEAM_SECRET);
        if (status == 405) {
            assertThat(response.headers().firstValue("Allow")).isPresent();
        }
        assertThat(app.count("SELECT COUNT(*) FROM inbox")).as("nothing stored").isEqualTo(inbox);

        // The pipeline has run past the refused request once a valid webhook of the same employee, sent after it,
        // is delivered: only that one's record may have been forwarded meanwhile.
        String after = "evt_after_" + UUID.randomUUID();
        assertThat(send("POST", "/webhooks/clockeye", "application/json", event(after), signed(event(after))).body()).isEqualTo("{\"status\":\"accepted\"}");
        app.awaitRow("SELECT * FROM deliveries WHERE event_id = ? AND status = 'delivered'", after);
        assertThat(app.count("SELECT COUNT(*) FROM deliveries")).as("nothing forwarded but the valid webhook's record").isEqualTo(deliveries + 1);
        assertThat(app.count("SELECT COUNT(*) FROM payroll_time_records WHERE record_id = 'clockeye:time_entry:te_evt_hostile'")).isZero();
    }

    @Test
    void nulBytesAndSqlFragmentsInEveryStringFieldAreStoredVerbatimAndNeverExecuted() throws Exception {
        String hostile = "x'); DROP TABLE payroll_time_records; -- \u0000 \" OR 1=1 \\u0000";
        ObjectMapper json = new ObjectMapper();
        Map<String, Object> event = Map.of("id", "evt_sql_" + hostile, "type", "time_entry.created", "created_at", "2024-01-15T10:30:00Z",
                "data", Map.of("id", "te_" + hostile, "user_id", "usr_" + hostile, "project_id", hostile, "description", hostile,
                        "start_time", "2024-01-15T09:00:00Z", "duration", 60));
        String body = json.writeValueAsString(event);

        HttpResponse<String> response = send("POST", "/webhooks/clockeye", "application/json", body, signed(body));

        assertThat(response.body()).isEqualTo("{\"status\":\"accepted\"}");
        Map<String, Object> row = app.awaitRow("SELECT * FROM payroll_time_records WHERE record_id = ?", "clockeye:time_entry:te_" + hostile);
        assertThat(row).containsEntry("USER_ID", "usr_" + hostile).containsEntry("LAST_EVENT_ID", "evt_sql_" + hostile);
        assertThat(json.readTree((String) row.get("RECORD")).path("attributes").toString()).contains(json.writeValueAsString(hostile));
        assertThat(app.rows("SELECT payload FROM inbox WHERE event_id = ?", "evt_sql_" + hostile).get(0)).containsEntry("PAYLOAD", body);
    }

    @Test
    void aThousandConcurrentInvalidRequestsDoNotStopValidOnesBeingAccepted() {
        List<CompletableFuture<HttpResponse<String>>> invalid = new ArrayList<>();
        List<CompletableFuture<HttpResponse<String>>> valid = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            String body = event("evt_flood_bad_" + i);
            invalid.add(sendAsync(body, ClockEyeSignature.of("guessed-secret-000000000", body)));
            if (i % 20 == 0) {
                String good = event("evt_flood_good_" + i);
                valid.add(sendUntilAccepted(good, ClockEyeSignature.of(RunningClockrelay.CLOCKEYE_SECRET, good)));
            }
        }

        // Beyond CLOCKRELAY_MAX_CONCURRENT_REQUESTS at once, 503 (the vendor sends it again): each is refused either way.
        assertThat(invalid).extracting(CompletableFuture::join).extracting(HttpResponse::statusCode).containsAnyOf(401).isSubsetOf(401, 503);
        assertThat(valid).extracting(CompletableFuture::join).extracting(HttpResponse::body).containsOnly("{\"status\":\"accepted\"}");
        assertThat(app.count("SELECT COUNT(*) FROM inbox WHERE event_id LIKE 'evt_flood_good_%'")).isEqualTo(50);
        assertThat(app.count("SELECT COUNT(*) FROM inbox WHERE event_id LIKE 'evt_flood_bad_%'")).isZero();
        app.awaitRow(row -> ((Number) row.get("N")).intValue() == 50,
                "SELECT COUNT(*) AS n FROM deliveries WHERE event_id LIKE 'evt_flood_good_%' AND status = 'delivered'");
        assertThat(app.count("SELECT COUNT(*) FROM deliveries WHERE event_id LIKE 'evt_flood_bad_%'")).isZero();
    }

    /** As a vendor sends: again after each 503, here at once rather than after Retry-After, within the test's wait. */
    private static CompletableFuture<HttpResponse<String>> sendUntilAccepted(String body, String signature) {
        return sendUntilAccepted(body, signature, Instant.now().plus(RunningClockrelay.WAIT));
    }

    private static CompletableFuture<HttpResponse<String>> sendUntilAccepted(String body, String signature, Instant deadline) {
        return sendAsync(body, signature).thenCompose(response -> response.statusCode() == 503 && Instant.now().isBefore(deadline)
                ? sendUntilAccepted(body, signature, deadline) : CompletableFuture.completedFuture(response));
    }

    private static CompletableFuture<HttpResponse<String>> sendAsync(String body, String signature) {
        return http.sendAsync(request("POST", "/webhooks/clockeye", "application/json", body, List.of("X-ClockEye-Signature", signature)),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> send(String method, String path, String contentType, String body, List<String> headers) throws Exception {
        return http.send(request(method, path, contentType, body, headers), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest request(String method, String path, String contentType, String body, List<String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + app.port + path)).timeout(RunningClockrelay.WAIT)
                .method(method, body.isEmpty() && !method.equals("POST") ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        for (int i = 0; i < headers.size(); i += 2) {
            request.header(headers.get(i), headers.get(i + 1));
        }
        return request.build();
    }

    private static List<String> signed(String body) {
        return List.of("X-ClockEye-Signature", ClockEyeSignature.of(RunningClockrelay.CLOCKEYE_SECRET, body));
    }

    private static String event(String id) {
        return "{\"id\":\"" + id + "\",\"type\":\"time_entry.created\",\"created_at\":\"2024-01-15T10:30:00Z\","
                + "\"data\":{\"id\":\"te_" + id + "\",\"user_id\":\"usr_1\",\"start_time\":\"2024-01-15T09:00:00Z\",\"duration\":60}}";
    }
}
