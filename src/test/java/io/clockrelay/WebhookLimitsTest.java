package io.clockrelay;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The webhook port's limits, each over a raw connection so that a request can stop halfway: a body over the limit,
 * requests beyond the in-flight budget or the concurrency cap, early refusals on headers alone, slow senders, too
 * many connections. An answer that arrives while the body is still unsent shows that the body was never read.
 */
class WebhookLimitsTest {

    static final int MAX_BODY = 10_000;
    static final int IN_FLIGHT = 25_000;
    static final int CONCURRENT = 3;
    static final int CONNECTIONS = 6;
    static final Duration READ_TIMEOUT = Duration.ofSeconds(3);
    /** Long enough for any answer that needs no body; well short of the read timeout. */
    static final Duration AT_ONCE = Duration.ofMillis(READ_TIMEOUT.toMillis() / 2);
    static final String CONNECTEAM_SECRET = "connecteam-limits-secret-01";
    static final String FORGED = "X-ClockEye-Signature: sha256=" + "ab".repeat(32);

    @TempDir
    static Path folder;
    static RunningClockrelay app;

    @BeforeAll
    static void start() {
        app = RunningClockrelay.start(folder, Map.of(
                "camel.server.max-body-size", String.valueOf(MAX_BODY),
                "clockrelay.webhooks.max-in-flight-bytes", String.valueOf(IN_FLIGHT),
                "clockrelay.webhooks.max-concurrent-requests", String.valueOf(CONCURRENT),
                "clockrelay.webhooks.max-connections", String.valueOf(CONNECTIONS),
                "clockrelay.webhooks.read-timeout-ms", String.valueOf(READ_TIMEOUT.toMillis()),
                "clockrelay.connecteam.secrets", CONNECTEAM_SECRET));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    /** Each test starts with nothing in flight (the previous one's connections closed or timed out). */
    @BeforeEach
    void nothingInFlight() {
        awaitMetric("clockrelay_webhook_connections", "", 0);
        awaitMetric("clockrelay_webhook_in_flight_requests", "", 0);
    }

    @Test
    void aContentLengthOverTheLimitIsAnswered413BeforeTheBodyIsSent() {
        try (RawConnection connection = new RawConnection(app.port)) {
            RawConnection.Answer answer = connection.head("/webhooks/clockeye", "Content-Type: application/json", FORGED,
                    "Content-Length: 50000000").answer(AT_ONCE);

            assertThat(answer.status()).isEqualTo(413);
            assertThat(answer.headers()).containsEntry("content-type", "application/json").containsEntry("connection", "close");
            assertThat(answer.body()).isEqualTo("{\"status\":\"rejected\",\"error\":\"the body is larger than " + MAX_BODY
                    + " bytes (CLOCKRELAY_MAX_BODY_BYTES)\"}");
        }
    }

    @Test
    void aBodyInChunksIsCutOffAtTheLimitWith413AndTheConnectionClosed() {
        try (RawConnection connection = new RawConnection(app.port)) {
            connection.head("/webhooks/clockeye", "Content-Type: application/json", FORGED, "Transfer-Encoding: chunked");
            Thread sender = new Thread(() -> {
                // Up to 100 times the limit, as long as the server reads it.
                byte[] chunk = ("400\r\n" + "x".repeat(1024) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                for (int i = 0; i < 100 * MAX_BODY / 1024 && connection.trySend(chunk); i++) {
                    // keep sending
                }
            });
            sender.start();

            assertThat(connection.answer().status()).isEqualTo(413);
            assertThat(connection.closedWithin(RunningClockrelay.WAIT)).as("cut off after the answer").isTrue();
        }
        assertThat(counter("too-large")).isPositive();
    }

    @Test
    void aClockEyeWebhookWithoutASignatureIsRefused401BeforeItsBodyIsSent() {
        try (RawConnection connection = new RawConnection(app.port)) {
            RawConnection.Answer answer = connection.head("/webhooks/clockeye", "Content-Type: application/json", "Content-Length: 5000")
                    .answer(AT_ONCE);

            assertThat(answer.status()).isEqualTo(401);
            // The same answer as the route gives once it has read the body.
            assertThat(answer.body()).isEqualTo("{\"status\":\"rejected\",\"error\":\"X-ClockEye-Signature is missing\"}");
        }
        try (RawConnection connection = new RawConnection(app.port)) {
            assertThat(connection.head("/webhooks/clockeye", "Content-Type: application/json", "X-ClockEye-Signature: md5=abc",
                    "Content-Length: 5000").answer(AT_ONCE).body()).contains("must start with 'sha256='");
        }
    }

    @Test
    void aConnecteamWebhookWithNeitherSecretNorTokenIsRefused401BeforeItsBodyIsSent() {
        try (RawConnection connection = new RawConnection(app.port)) {
            RawConnection.Answer answer = connection.head("/webhooks/connecteam", "Content-Type: application/json", "Content-Length: 5000")
                    .answer(AT_ONCE);

            assertThat(answer.status()).isEqualTo(401);
            assertThat(answer.body()).isEqualTo("{\"status\":\"rejected\",\"error\":\"X-Webhook-Secret, X-Connecteam-Signature and the token"
                    + " parameter are all missing\"}");
        }
        // A token is there: only the body can tell, so the body is awaited (and then the token is compared).
        try (RawConnection connection = new RawConnection(app.port)) {
            String body = "{\"requestId\":\"req-limits-1\",\"eventType\":\"user_deleted\",\"data\":[{\"userId\":42}]}";
            connection.head("/webhooks/connecteam?token=" + CONNECTEAM_SECRET, "Content-Type: application/json",
                    "Content-Length: " + body.length()).send(body.getBytes(StandardCharsets.UTF_8));
            assertThat(connection.answer().body()).isEqualTo("{\"status\":\"accepted\"}");
        }
    }

    @Test
    void webhooksBeyondTheInFlightBudgetAreAnswered503WithRetryAfterBeforeTheirBodiesAreRead() {
        long shedBefore = counter("shed-bytes");
        List<RawConnection> held = new ArrayList<>();
        try {
            // Two bodies of 9,000 bytes announced and not sent: 18,000 of the 25,000 bytes in flight.
            for (int i = 0; i < 2; i++) {
                held.add(new RawConnection(app.port).head("/webhooks/clockeye", "Content-Type: application/json", FORGED, "Content-Length: 9000"));
            }
            awaitMetric("clockrelay_webhook_in_flight_bytes", "", 18_000);

            try (RawConnection third = new RawConnection(app.port)) {
                RawConnection.Answer answer = third.head("/webhooks/clockeye", "Content-Type: application/json", FORGED, "Content-Length: 9000")
                        .answer(AT_ONCE);

                assertThat(answer.status()).isEqualTo(503);
                assertThat(answer.headers()).containsEntry("retry-after", "5").containsEntry("content-type", "application/json");
                assertThat(answer.body()).contains("\"status\":\"rejected\"", "too many bytes at once: send the webhook again");
            }
            assertThat(counter("shed-bytes")).isEqualTo(shedBefore + 1);

            // The held ones are still served once their bodies come: read whole, then refused for their forged signature.
            for (RawConnection connection : held) {
                assertThat(connection.send("x".repeat(9000).getBytes(StandardCharsets.US_ASCII)).answer().status()).isEqualTo(401);
            }
        } finally {
            held.forEach(RawConnection::close);
        }
        awaitMetric("clockrelay_webhook_in_flight_bytes", "", 0);
        String valid = HttpTargetTest.event("evt_limits_after_shed", "te_limits_1", "usr_limits_1", "2024-05-01T09:00:00Z");
        assertThat(app.postClockEye(valid).body()).as("the budget is free again").isEqualTo("{\"status\":\"accepted\"}");
    }

    @Test
    void requestsBeyondTheConcurrencyCapAreAnswered503WithRetryAfter() {
        List<RawConnection> held = new ArrayList<>();
        try {
            for (int i = 0; i < CONCURRENT; i++) {
                held.add(new RawConnection(app.port).head("/webhooks/clockeye", "Content-Type: application/json", FORGED, "Content-Length: 10"));
            }
            awaitMetric("clockrelay_webhook_in_flight_requests", "", CONCURRENT);

            try (RawConnection another = new RawConnection(app.port)) {
                RawConnection.Answer answer = another.head("/webhooks/clockeye", "Content-Type: application/json", FORGED, "Content-Length: 10")
                        .answer(AT_ONCE);

                assertThat(answer.status()).isEqualTo(503);
                assertThat(answer.headers()).containsEntry("retry-after", "5");
                assertThat(answer.body()).contains("too many requests at once");
            }
            assertThat(counter("shed-requests")).isPositive();
        } finally {
            held.forEach(RawConnection::close);
        }
    }

    @Test
    void aBodySentOneByteASecondIsAnswered408WithinTheReadTimeout() {
        try (RawConnection connection = new RawConnection(app.port)) {
            connection.head("/webhooks/clockeye", "Content-Type: application/json", FORGED, "Content-Length: 100");
            Thread trickle = trickle(connection);

            RawConnection.Answer answer = connection.answer(READ_TIMEOUT.plus(AT_ONCE));

            assertThat(answer.status()).isEqualTo(408);
            assertThat(answer.body()).contains("the body did not arrive within " + READ_TIMEOUT.toMillis() + " ms", "CLOCKRELAY_READ_TIMEOUT_MS");
            assertThat(connection.closedWithin(AT_ONCE)).isTrue();
            trickle.interrupt();
        }
        assertThat(counter("slow")).isPositive();
    }

    @Test
    void aHeadSentOneByteASecondIsDisconnectedWithinTheReadTimeout() {
        try (RawConnection connection = new RawConnection(app.port)) {
            connection.send("POST /webhooks/clockeye HTTP/1.1\r\nHost: localhost\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
            Thread trickle = trickle(connection);

            assertThat(connection.closedWithin(READ_TIMEOUT.plus(AT_ONCE))).as("closed within the read timeout").isTrue();
            trickle.interrupt();
        }
        awaitMetric("clockrelay_webhook_connections_closed_total", "reason=\"timeout\"", 1);
    }

    @Test
    void connectionsBeyondTheCapAreClosedAtOnceAndTheOthersStillServed() {
        List<RawConnection> open = new ArrayList<>();
        try {
            for (int i = 0; i < CONNECTIONS; i++) {
                open.add(new RawConnection(app.port));
            }
            awaitMetric("clockrelay_webhook_connections", "", CONNECTIONS);

            try (RawConnection oneTooMany = new RawConnection(app.port)) {
                assertThat(oneTooMany.closedWithin(AT_ONCE)).as("closed before the read timeout could close it").isTrue();
            }
            awaitMetric("clockrelay_webhook_connections_closed_total", "reason=\"too-many\"", 1);
            String body = HttpTargetTest.event("evt_limits_capped", "te_limits_2", "usr_limits_2", "2024-05-01T09:00:00Z");
            open.get(0).head("/webhooks/clockeye", "Content-Type: application/json", "Content-Length: " + body.length(),
                    "X-ClockEye-Signature: " + ClockEyeSignature.of(RunningClockrelay.CLOCKEYE_SECRET, body));
            assertThat(open.get(0).send(body.getBytes(StandardCharsets.UTF_8)).answer().body()).isEqualTo("{\"status\":\"accepted\"}");
        } finally {
            open.forEach(RawConnection::close);
        }
    }

    /** Sends a byte a second on the connection until it is closed or the thread interrupted. */
    private static Thread trickle(RawConnection connection) {
        Thread thread = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted() && connection.trySend(new byte[] {'x'})) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** clockrelay_webhooks_total of ClockEye refusals for this reason (0 while there is none). */
    private static long counter(String reason) {
        return (long) value("clockrelay_webhooks_total", "reason=\"" + reason + "\"").orElse(0);
    }

    private static java.util.OptionalDouble value(String name, String label) {
        String page = app.get(app.managementPort, "/observe/metrics").body();
        Matcher series = Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*})? (\\S+)$", Pattern.MULTILINE).matcher(page);
        while (series.find()) {
            if (series.group(1) == null ? label.isEmpty() : series.group(1).contains(label)) {
                return java.util.OptionalDouble.of(Double.parseDouble(series.group(2)));
            }
        }
        return java.util.OptionalDouble.empty();
    }

    /** Polls /observe/metrics until the series is at least (or, for 0, exactly or not there) the value; fails after 30 s. */
    private static void awaitMetric(String name, String label, double expected) {
        Instant deadline = Instant.now().plus(RunningClockrelay.WAIT);
        java.util.OptionalDouble last = java.util.OptionalDouble.empty();
        while (Instant.now().isBefore(deadline)) {
            last = value(name, label);
            if (expected == 0 ? last.orElse(0) == 0 : last.isPresent() && last.getAsDouble() >= expected) {
                return;
            }
            RunningClockrelay.pause();
        }
        throw new AssertionError(name + "{" + label + "} is " + last + ", not " + expected);
    }
}
