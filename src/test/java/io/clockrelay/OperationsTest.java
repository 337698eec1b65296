package io.clockrelay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * clockrelay run as operations run it: its own process, HTTPS on the webhook port with a self-signed certificate,
 * JSON logs, and every secret it knows in use (vendor secrets, Clockodo's API key, the admin token, an HTTP
 * target's whsec_ secret, the store's password, the keystore's password). Then its whole log is searched for them.
 */
class OperationsTest {

    static final String CONNECTEAM_SECRET = "connecteam-secret-in-logs-test";
    static final String CLOCKODO_TOKEN = "clockodo-token-in-logs-test-01";
    static final String CLOCKODO_API_KEY = "clockodo-api-key-in-logs-test";
    static final String ADMIN_TOKEN = "admin-token-in-logs-test-000001";
    static final String DB_PASSWORD = "store-password-in-logs-test";
    static final String KEYSTORE_PASSWORD = "keystore-password-in-logs-test";
    static final String GUESSED = "guessed-secret-in-logs-test-0";

    @TempDir
    static Path folder;
    static WireMockServer stubs;
    static Process process;
    static HttpClient https;
    static int port;
    static int managementPort;
    static final List<String> signatures = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        Path keystore = folder.resolve("webhooks.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "clockrelay", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", KEYSTORE_PASSWORD).inheritIO().start();
        assertThat(keytool.waitFor()).isZero();
        https = HttpClient.newBuilder().sslContext(trusting(keystore)).connectTimeout(Duration.ofSeconds(5)).build();

        stubs = new WireMockServer(options().dynamicPort());
        stubs.start();
        stubs.stubFor(post(urlEqualTo("/payroll")).willReturn(aResponse().withStatus(204)));
        stubs.stubFor(get(urlEqualTo("/api/v2/entries/2020")).willReturn(okJson(ClockodoEnrichmentTest.apiFixture("entry"))));

        port = RunningClockrelay.freePort();
        managementPort = RunningClockrelay.freePort();
        process = ClockrelayProcess.launch(folder, "operations", Map.ofEntries(
                Map.entry("CLOCKRELAY_PORT", String.valueOf(port)),
                Map.entry("CLOCKRELAY_TLS_KEYSTORE", keystore.toString()),
                Map.entry("CLOCKRELAY_TLS_KEYSTORE_PASSWORD", KEYSTORE_PASSWORD),
                Map.entry("CLOCKRELAY_LOG_FORMAT", "json"),
                Map.entry("CLOCKRELAY_LOG_LEVEL", "DEBUG"),
                Map.entry("CLOCKRELAY_DB_URL", "jdbc:h2:file:" + folder.resolve("store").toAbsolutePath() + ";WRITE_DELAY=0"),
                Map.entry("CLOCKRELAY_DB_PASSWORD", DB_PASSWORD),
                Map.entry("CLOCKEYE_WEBHOOK_SECRET", RunningClockrelay.CLOCKEYE_SECRET),
                Map.entry("CONNECTEAM_WEBHOOK_SECRET", CONNECTEAM_SECRET),
                Map.entry("CLOCKODO_WEBHOOK_TOKEN", CLOCKODO_TOKEN),
                Map.entry("CLOCKODO_API_URL", "http://localhost:" + stubs.port() + "/api"),
                Map.entry("CLOCKODO_API_USER", ClockodoEnrichmentTest.API_USER),
                Map.entry("CLOCKODO_API_KEY", CLOCKODO_API_KEY),
                Map.entry("CLOCKRELAY_ADMIN_TOKEN", ADMIN_TOKEN),
                Map.entry("PAYROLL_API_ENABLED", "true"),
                Map.entry("PAYROLL_API_URL", "http://localhost:" + stubs.port() + "/payroll"),
                Map.entry("PAYROLL_API_SECRET", HttpTargetTest.OLD_SECRET)), managementPort);
    }

    @AfterAll
    static void stop() throws Exception {
        if (process != null) {
            process.destroyForcibly().waitFor();
        }
        stubs.stop();
    }

    @Test
    void theWebhookPortAnswersHttpsWithTheKeystoresCertificateAndNotPlainHttp() {
        String body = HttpTargetTest.event("evt_tls_1", "te_tls_1", "usr_tls_1", "2024-05-01T09:00:00Z");
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/webhooks/clockeye"))
                .header("Content-Type", "application/json")
                .header("X-ClockEye-Signature", ClockEyeSignature.of(RunningClockrelay.CLOCKEYE_SECRET, body))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"status\":\"accepted\"}");
        assertThatThrownBy(() -> new WebhookClient(port).postClockEye(body)).as("plain HTTP on the webhook port").isInstanceOf(RuntimeException.class);
        assertThat(new WebhookClient(managementPort).get("/observe/health").statusCode()).as("the management port stays HTTP").isEqualTo(200);
    }

    @Test
    void noSecretTokenKeyOrSignatureEverAppearsInTheLogWhichIsJson() throws Exception {
        String clockeye = HttpTargetTest.event("evt_logs_1", "te_logs_1", "usr_logs_1", "2024-05-01T09:00:00Z");
        postClockEye(clockeye, ClockEyeSignature.of(RunningClockrelay.CLOCKEYE_SECRET, clockeye), 200);
        postClockEye(clockeye.replace("evt_logs_1", "evt_logs_forged"), ClockEyeSignature.of(GUESSED, clockeye), 401);
        String connecteam = "{\"requestId\":\"req-logs-%s\",\"company\":\"c1\",\"eventType\":\"user_deleted\",\"activityType\":\"User\","
                + "\"eventTimestamp\":1731600000,\"data\":[{\"userId\":42}]}";
        postOverHttps("/webhooks/connecteam", connecteam.formatted("header"), 200, "X-Webhook-Secret", CONNECTEAM_SECRET);
        postOverHttps("/webhooks/connecteam?token=" + CONNECTEAM_SECRET, connecteam.formatted("query"), 200);
        postOverHttps("/webhooks/connecteam?token=" + GUESSED, connecteam.formatted("guessed"), 401);
        postOverHttps("/webhooks/connecteam", connecteam.formatted("signed"), 401, "X-Connecteam-Signature", GUESSED,
                "X-Connecteam-Delivery", GUESSED);
        String clockodo = ClockodoEnrichmentTest.notification("entry.updated", "entry", "2020", "2024-03-08T10:00:00Z");
        postOverHttps("/webhooks/clockodo", clockodo.replace(ClockodoEnrichmentTest.TOKEN, CLOCKODO_TOKEN), 200);
        postOverHttps("/webhooks/clockodo", clockodo.replace(ClockodoEnrichmentTest.TOKEN, GUESSED).replace("10:00", "11:00"), 401);
        WebhookClient management = new WebhookClient(managementPort);
        assertThat(management.get("/admin/dead-letters", "Authorization", "Bearer " + ADMIN_TOKEN).statusCode()).isEqualTo(200);
        assertThat(management.get("/admin/dead-letters", "Authorization", "Bearer " + GUESSED).statusCode()).isEqualTo(401);
        awaitPayrollCall("evt_logs_1");
        awaitPayrollCall("entry.updated:entry:2020:2024-03-08T10:00:00Z");
        assertThat(stubs.findAll(com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(urlEqualTo("/api/v2/entries/2020"))))
                .allSatisfy(call -> assertThat(call.getHeader("X-ClockodoApiKey")).isEqualTo(CLOCKODO_API_KEY));
        stubs.getAllServeEvents().stream().map(ServeEvent::getRequest).map(request -> request.getHeader("webhook-signature"))
                .filter(java.util.Objects::nonNull).forEach(signatures::add);

        String log = Files.readString(folder.resolve("operations.log"));
        List<String> secrets = new ArrayList<>(List.of(RunningClockrelay.CLOCKEYE_SECRET, CONNECTEAM_SECRET, CLOCKODO_TOKEN,
                CLOCKODO_API_KEY, ADMIN_TOKEN, DB_PASSWORD, KEYSTORE_PASSWORD, GUESSED, HttpTargetTest.OLD_SECRET,
                HttpTargetTest.OLD_SECRET.substring("whsec_".length()),
                ClockEyeSignature.of(RunningClockrelay.CLOCKEYE_SECRET, clockeye).substring("sha256=".length())));
        signatures.forEach(signature -> secrets.add(signature.substring("v1,".length())));
        assertThat(signatures).as("the payroll endpoint received signed calls").isNotEmpty();
        for (String secret : secrets) {
            assertThat(log).as("the log holds no secret").doesNotContain(secret);
        }

        ObjectMapper json = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : log.lines().filter(line -> !line.isBlank()).toList()) {
            lines.add(json.readTree(line));
        }
        assertThat(lines).extracting(line -> line.path("message").asText())
                .anyMatch(message -> message.startsWith("webhook accepted source=clockeye eventId=evt_logs_1"))
                .anyMatch(message -> message.startsWith("webhook rejected source=clockeye status=401 reason=verification"))
                .anyMatch(message -> message.startsWith("delivery delivered target=payroll-api source=clockeye eventId=evt_logs_1"))
                // What Connecteam sent, by name only: how an operator learns its scheme.
                .anyMatch(message -> message.startsWith("connecteam webhook refused (neither X-Webhook-Secret, X-Connecteam-Signature nor the"
                        + " token matches CONNECTEAM_WEBHOOK_SECRET); the request carried the headers [")
                        && message.contains("X-Connecteam-Delivery") && message.contains("X-Connecteam-Signature"));
    }

    private static void awaitPayrollCall(String eventId) {
        Instant deadline = Instant.now().plus(RunningClockrelay.WAIT);
        while (Instant.now().isBefore(deadline)) {
            if (stubs.getAllServeEvents().stream().anyMatch(event -> eventId.equals(event.getRequest().getHeader("webhook-id")))) {
                return;
            }
            RunningClockrelay.pause();
        }
        throw new AssertionError("no payroll call for " + eventId);
    }

    private static void postClockEye(String body, String signature, int status) {
        postOverHttps("/webhooks/clockeye", body, status, "X-ClockEye-Signature", signature);
    }

    private static void postOverHttps(String path, String body, int status, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://localhost:" + port + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        HttpResponse<String> response = send(request.build());
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(status);
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return https.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Trusts the self-signed certificate of the keystore, and nothing else. */
    private static SSLContext trusting(Path keystore) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, KEYSTORE_PASSWORD.toCharArray());
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
