package io.clockrelay;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class VendorNotConfiguredTest {

    @TempDir
    Path folder;

    @Test
    void withoutItsSecretAVendorsEndpointAnswers503NamingTheVariableAndStoresNothing() {
        try (RunningClockrelay app = RunningClockrelay.start(folder, Map.of("clockrelay.clockeye.secrets", ""))) {
            HttpResponse<String> response = app.postClockEye("{\"id\":\"evt_1\",\"type\":\"time_entry.created\",\"data\":{}}");

            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.body()).contains("CLOCKEYE_WEBHOOK_SECRET");
            assertThat(app.count("SELECT COUNT(*) FROM inbox")).isZero();
            assertThat(app.get(app.managementPort, "/observe/health").statusCode())
                    .as("an unconfigured vendor does not make the app unready").isEqualTo(200);
        }
    }

    @Test
    void withoutAnyClockodoSettingTheClockodoApiCheckHasNothingToReport() {
        try (RunningClockrelay app = RunningClockrelay.start(folder)) {
            String health = app.get(app.managementPort, "/observe/health?exposureLevel=full").body();

            assertThat(health).contains("{\"name\":\"clockodo-api\",\"status\":\"UP\",\"message\":\"Clockodo is not used: CLOCKODO_WEBHOOK_TOKEN is not set\"}")
                    .doesNotContain("Clockodo enrichment is not configured");
        }
    }
}
