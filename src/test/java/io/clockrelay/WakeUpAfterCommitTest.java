package io.clockrelay;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stages are woken by the commits before them, not found by their polls: with both polls at 60 s, a webhook's
 * payroll row arrives within seconds. The inbox commit wakes the process stage, the process stage's commit wakes the
 * deliver stage; either wake-up missing leaves the row waiting for a poll a minute away.
 */
class WakeUpAfterCommitTest {

    /** Well under a poll interval, well over what a wake-up takes on a busy 2-core machine. */
    static final Duration WITHIN = Duration.ofSeconds(5);
    @TempDir
    Path folder;

    @Test
    void eachWebhookReachesThePayrollTableWithinSecondsThoughTheStagesPollOnlyEveryMinute() {
        try (RunningClockrelay app = RunningClockrelay.start(folder, Map.of(
                "clockrelay.process.poll-interval-ms", "60000",
                "clockrelay.deliver.poll-interval-ms", "60000"))) {
            // Three in a row: the polls' first round at the start could explain the first, not the ones after it.
            for (int i = 0; i < 3; i++) {
                String id = "evt_wake_" + i;
                assertThat(app.postClockEye(HttpTargetTest.event(id, "te_wake_" + i, "usr_wake", "2024-05-0" + (i + 1) + "T09:00:00Z")).body())
                        .isEqualTo("{\"status\":\"accepted\"}");
                Map<String, Object> row = app.awaitRowWithin(WITHIN, "SELECT * FROM payroll_time_records WHERE last_event_id = ?", id);
                assertThat(row).containsEntry("DURATION_SECONDS", 600L);
            }
        }
    }
}
