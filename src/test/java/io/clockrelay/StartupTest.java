package io.clockrelay;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * While clockrelay starts, its webhook port accepts connections before the receive routes exist. A vendor sending
 * then must get 503 with Retry-After (it retries), never 404 (which it may take for "endpoint gone").
 */
class StartupTest {

    @TempDir
    Path folder;
    private Process process;

    @Test
    void webhooksSentWhileStartingAreAnswered503NeverA404() throws Exception {
        int port = RunningClockrelay.freePort();
        // A route that starts first and takes three seconds: the port listens meanwhile, the receive routes do not exist yet.
        process = ClockrelayProcess.start(folder, "starting", Map.of(
                "CLOCKRELAY_DB_URL", "jdbc:h2:file:" + folder.resolve("store").toAbsolutePath() + ";WRITE_DELAY=0",
                "CLOCKRELAY_PORT", String.valueOf(port),
                "CLOCKRELAY_ROUTES_DIR", Path.of("src/test/resources/routes-slow-start").toAbsolutePath().toString(),
                "CLOCKEYE_WEBHOOK_SECRET", RunningClockrelay.CLOCKEYE_SECRET), RunningClockrelay.freePort());
        WebhookClient client = new WebhookClient(port);
        List<HttpResponse<String>> answers = new ArrayList<>();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        int sent = 0;
        while (Instant.now().isBefore(deadline) && process.isAlive()) {
            HttpResponse<String> answer;
            try {
                answer = client.postClockEye("{\"id\":\"evt_start_" + sent++ + "\",\"type\":\"time_entry.created\",\"created_at\":\"2024-05-01T10:00:00Z\","
                        + "\"data\":{\"id\":\"te_start\",\"user_id\":\"usr_start\",\"start_time\":\"2024-05-01T09:00:00Z\",\"duration\":60}}");
            } catch (RuntimeException notListeningYet) {
                continue;
            }
            answers.add(answer);
            if (answer.statusCode() == 200) {
                break;
            }
        }

        assertThat(answers).as("answered at last").isNotEmpty();
        assertThat(answers.get(answers.size() - 1).body()).isEqualTo("{\"status\":\"accepted\"}");
        List<HttpResponse<String>> early = answers.subList(0, answers.size() - 1);
        assertThat(early).as("the port listened while the routes were starting").isNotEmpty();
        assertThat(early).allSatisfy(answer -> {
            assertThat(answer.statusCode()).isEqualTo(503);
            assertThat(answer.headers().firstValue("Retry-After")).hasValue("5");
            assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(answer.body()).isEqualTo("{\"status\":\"rejected\",\"error\":\"clockrelay is starting: send the webhook again in a moment\"}");
        });
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly().waitFor();
        }
    }
}
