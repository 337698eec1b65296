package io.clockrelay;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** What an operator sees when settings are wrong: no start, one line per problem naming the setting and the fix. */
class ConfigurationCheckTest {

    @TempDir
    Path folder;

    @Test
    void everyWrongSettingIsReportedOnItsOwnLineAndNothingStarts() throws Exception {
        Path missing = folder.resolve("no-such-folder");
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
            wrongSettingsAreReported(missing, taken.getLocalPort());
        }
    }

    private void wrongSettingsAreReported(Path missing, int takenPort) throws Exception {
        Process process = ClockrelayProcess.start(folder, "wrong-settings", Map.ofEntries(
                Map.entry("CLOCKRELAY_ROUTES_DIR", missing.toString()),
                Map.entry("CLOCKRELAY_DB_URL", "postgres://db.internal/clockrelay?password=hunter2hunter2"),
                Map.entry("CLOCKRELAY_PORT", "80800"),
                Map.entry("CLOCKEYE_WEBHOOK_SECRET", "t1ny-s3cret"),
                Map.entry("CLOCKRELAY_ADMIN_TOKEN", "adm1n-t0ken"),
                Map.entry("PAYROLL_API_ENABLED", "true"),
                Map.entry("PAYROLL_API_URL", "payroll.internal:9000/records"),
                Map.entry("PAYROLL_API_SECRET", "whsec_n0t*base64!"),
                Map.entry("CLOCKRELAY_TLS_KEYSTORE", folder.resolve("missing.p12").toString()),
                Map.entry("CLOCKRELAY_TLS_KEYSTORE_PASSWORD", "k3ystore-pa55")),
                takenPort, "-Dclockrelay.target.audit.type=kafka");

        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the process ends by itself").isTrue();
        String log = Files.readString(folder.resolve("wrong-settings.log"));
        assertThat(process.exitValue()).as(log).isNotZero();
        List<String> lines = log.lines().map(String::strip).toList();
        assertThat(lines).contains(
                "clockrelay cannot start: 10 setting(s) to fix",
                "CLOCKRELAY_ROUTES_DIR is " + missing + ", which is not a folder: create it or unset the variable",
                "CLOCKRELAY_DB_URL is not a supported JDBC URL (it starts 'postgres:'):"
                        + " use jdbc:postgresql://host/db, jdbc:mariadb://host/db or jdbc:h2:file:./path",
                "CLOCKRELAY_PORT is '80800', not a port number: use 1 to 65535",
                "CLOCKRELAY_MANAGEMENT_PORT is " + takenPort + ", which another process is listening on: stop it or choose another port",
                "CLOCKEYE_WEBHOOK_SECRET holds a value of 11 characters: use at least 16 random characters, e.g. openssl rand -hex 32",
                "CLOCKRELAY_ADMIN_TOKEN holds a value of 11 characters: use at least 16 random characters, e.g. openssl rand -hex 32",
                "clockrelay.target.audit.type is 'kafka': use jdbc, http or route",
                "PAYROLL_API_URL is not an http or https URL (it starts 'payroll.internal:'): set it to an address such as https://host/path",
                "CLOCKRELAY_TLS_KEYSTORE (" + folder.resolve("missing.p12") + ") cannot be opened as PKCS12 with CLOCKRELAY_TLS_KEYSTORE_PASSWORD"
                        + " (NoSuchFileException): check the file and its password, or unset it to serve plain HTTP behind a TLS proxy");
        assertThat(lines).anyMatch(line -> line.startsWith("PAYROLL_API_SECRET is not valid base64 after whsec_"));
        assertThat(log).as("no secret, not even a wrong one, is printed")
                .doesNotContain("t1ny-s3cret", "adm1n-t0ken", "n0t*base64", "hunter2", "k3ystore-pa55")
                .doesNotContain("clockrelay is ready");
    }
}
