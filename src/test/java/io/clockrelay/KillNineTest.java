package io.clockrelay;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * clockrelay as its own process, killed with SIGKILL right after answering 200 to webhooks it had not yet
 * processed or delivered, then started again: every acknowledged webhook reaches the payroll table.
 */
class KillNineTest {

    @TempDir
    Path folder;
    private final List<Process> processes = new ArrayList<>();

    @Test
    void webhooksAcknowledgedJustBeforeAKill9AreDeliveredAfterTheRestart() throws Exception {
        // AUTO_SERVER lets this test read the H2 file while clockrelay has it open; WRITE_DELAY=0 is the default's.
        String storeUrl = "jdbc:h2:file:" + folder.resolve("store").toAbsolutePath() + ";WRITE_DELAY=0;AUTO_SERVER=TRUE";
        int port = RunningClockrelay.freePort();
        int managementPort = RunningClockrelay.freePort();

        // First run: receive only (Camel's routes-exclude-pattern holds back the process and deliver stages).
        Process first = launch("first", storeUrl, port, managementPort, "-Dcamel.main.routesExcludePattern=**/process.camel.yaml,**/deliver.camel.yaml");
        WebhookClient client = new WebhookClient(port);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String id = "evt_kill_" + i;
            HttpResponse<String> response = client.postClockEye("{\"id\":\"" + id + "\",\"type\":\"time_entry.created\","
                    + "\"created_at\":\"2024-04-01T10:00:00Z\",\"data\":{\"id\":\"te_" + id + "\",\"user_id\":\"usr_" + i
                    + "\",\"start_time\":\"2024-04-01T09:00:00Z\",\"duration\":1800}}");
            assertThat(response.body()).isEqualTo("{\"status\":\"accepted\"}");
            ids.add(id);
        }
        first.destroyForcibly().waitFor();
        assertThat(first.exitValue()).as("killed by SIGKILL").isEqualTo(137);

        launch("second", storeUrl, port, managementPort);

        for (String id : ids) {
            Map<String, Object> row = RunningClockrelay.awaitRow(storeUrl, "sa", r -> true,
                    "SELECT * FROM payroll_time_records WHERE last_event_id = ?", id);
            assertThat(row).containsEntry("DURATION_SECONDS", 1800L);
        }
        assertThat(RunningClockrelay.query(storeUrl, "sa", "SELECT COUNT(*) AS n FROM inbox").get(0)).containsEntry("N", 20L);
    }

    private Process launch(String name, String storeUrl, int port, int managementPort, String... jvmOptions) throws IOException {
        Process process = ClockrelayProcess.launch(folder, name, Map.of(
                "CLOCKRELAY_DB_URL", storeUrl,
                "CLOCKRELAY_PORT", String.valueOf(port),
                "CLOCKEYE_WEBHOOK_SECRET", RunningClockrelay.CLOCKEYE_SECRET), managementPort, jvmOptions);
        processes.add(process);
        return process;
    }

    @AfterEach
    void stopAll() throws InterruptedException {
        for (Process process : processes) {
            process.destroyForcibly().waitFor();
        }
    }
}
