package io.clockrelay;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an operator sees when settings are wrong: no start, exit status 2, and one line per problem naming the
 * setting and the fix, never a secret's value.
 */
class ConfigurationCheckTest {

    private static final String PLACEHOLDER_LINE = " is still CHANGE-ME, the example's placeholder: set the real value";
    @TempDir
    Path folder;
    static EmbeddedPostgres postgres;

    @BeforeAll
    static void startPostgres() throws IOException {
        postgres = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        postgres.close();
    }

    @Test
    void everyWrongSettingIsReportedOnItsOwnLineAndNothingStarts() throws Exception {
        Path missing = folder.resolve("no-such-folder");
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
            Refusal refusal = refusal("wrong-settings", taken.getLocalPort(), Map.ofEntries(
                    Map.entry("CLOCKRELAY_ROUTES_DIR", missing.toString()),
                    Map.entry("CLOCKRELAY_DB_URL", "postgres://db.internal/clockrelay?password=hunter2hunter2"),
                    Map.entry("CLOCKRELAY_PORT", "80800"),
                    Map.entry("CLOCKEYE_WEBHOOK_SECRET", "t1ny-s3cret"),
                    Map.entry("CLOCKRELAY_ADMIN_TOKEN", "adm1n-t0ken"),
                    Map.entry("PAYROLL_API_ENABLED", "true"),
                    Map.entry("PAYROLL_API_URL", "payroll.internal:9000/records"),
                    Map.entry("PAYROLL_API_SECRET", "whsec_n0t*base64!"),
                    Map.entry("CLOCKRELAY_TLS_KEYSTORE", folder.resolve("missing.p12").toString()),
                    Map.entry("CLOCKRELAY_TLS_KEYSTORE_PASSWORD", "k3ystore-pa55"),
                    Map.entry("CLOCKRELAY_INSTANCE", "clockrelay-payroll-eu-west-1a-production-7f9c8d6b5d-x2k4q-canary-b")),
                    "-Dclockrelay.target.audit.type=kafka");

            assertThat(refusal.lines()).containsExactly(
                    "clockrelay cannot start: 11 setting(s) to fix",
                    "CLOCKRELAY_ROUTES_DIR is " + missing + ", which is not a folder: create it or unset the variable",
                    "CLOCKRELAY_TLS_KEYSTORE (" + folder.resolve("missing.p12") + ") cannot be opened as PKCS12 with CLOCKRELAY_TLS_KEYSTORE_PASSWORD"
                            + " (NoSuchFileException): check the file and its password, or unset it to serve plain HTTP behind a TLS proxy",
                    "CLOCKRELAY_DB_URL is not a supported JDBC URL (it starts 'postgres:'): use jdbc:postgresql://host/db or jdbc:h2:file:./path",
                    "CLOCKRELAY_PORT is '80800', not a port number: use 1 to 65535",
                    "CLOCKRELAY_MANAGEMENT_PORT is " + taken.getLocalPort() + ", which another process is listening on: stop it or choose another port",
                    "CLOCKEYE_WEBHOOK_SECRET holds a value of 11 characters: use at least 16 random characters, e.g. openssl rand -hex 32",
                    "CLOCKRELAY_ADMIN_TOKEN holds a value of 11 characters: use at least 16 random characters, e.g. openssl rand -hex 32",
                    "clockrelay.target.audit.type is 'kafka': use jdbc, http or route",
                    "PAYROLL_API_URL is not an http or https URL (it starts 'payroll.internal:'): set it to an address such as https://host/path",
                    "PAYROLL_API_SECRET is not valid base64 after whsec_: generate one with: echo whsec_$(head -c 32 /dev/urandom | base64)",
                    "CLOCKRELAY_INSTANCE is 66 characters long: use at most 63, e.g. the pod's name (empty: <pid>@<host>)");
            assertThat(refusal.log()).as("no secret, not even a wrong one, is printed")
                    .doesNotContain("t1ny-s3cret", "adm1n-t0ken", "n0t*base64", "hunter2", "k3ystore-pa55");
        }
    }

    @Test
    void webhookLimitsThatCannotWorkAreRefusedOneLineEach() throws Exception {
        Refusal refusal = refusal("wrong-limits", RunningClockrelay.freePort(), Map.of(
                "CLOCKRELAY_MAX_BODY_BYTES", "100000",
                "CLOCKRELAY_MAX_IN_FLIGHT_BYTES", "50000",
                "CLOCKRELAY_MAX_CONCURRENT_REQUESTS", "0",
                "CLOCKRELAY_READ_TIMEOUT_MS", "10s"));

        assertThat(refusal.lines()).containsExactly(
                "clockrelay cannot start: 3 setting(s) to fix",
                "CLOCKRELAY_MAX_CONCURRENT_REQUESTS is '0', not a whole number from 1 to 2147483647: set one, e.g. 64",
                "CLOCKRELAY_READ_TIMEOUT_MS is '10s', not a whole number from 1 to 2147483647: set one, e.g. 10000",
                "CLOCKRELAY_MAX_IN_FLIGHT_BYTES is 50000, less than CLOCKRELAY_MAX_BODY_BYTES (100000): no body of that size could be read:"
                        + " set it to at least 100000");
    }

    @Test
    void aBodyLimitOverTheHeapsShareIsRefusedNamingTheHeap() throws Exception {
        Refusal refusal = refusal("limit-over-heap", RunningClockrelay.freePort(), Map.of("CLOCKRELAY_MAX_BODY_BYTES", "8000000"), "-Xmx64m");

        assertThat(refusal.lines()).hasSize(2);
        assertThat(refusal.lines().get(1)).matches("CLOCKRELAY_MAX_IN_FLIGHT_BYTES is empty, so a sixteenth of the heap \\(\\d+ bytes\\), which is less"
                + " than CLOCKRELAY_MAX_BODY_BYTES \\(8000000\\): no body of that size could be read: lower CLOCKRELAY_MAX_BODY_BYTES,"
                + " or raise -Xmx or CLOCKRELAY_MAX_IN_FLIGHT_BYTES");
    }

    @Test
    void vendorAndReconciliationSettingsThatCannotWorkAreRefusedOneLineEach() throws Exception {
        String application = "clockrelay-payroll-bridge;payroll-operations@example.com";
        Refusal refusal = refusal("wrong-vendor-settings", RunningClockrelay.freePort(), Map.of(
                "CLOCKODO_EXTERNAL_APPLICATION", application,
                "CLOCKODO_DEFAULT_TIMEZONE", "Mars/Olympus_Mons",
                "CONNECTEAM_TIME_OFF_TYPES", "9876:holiday,1234,5555:sick",
                "CLOCKRELAY_RECONCILE_INTERVAL", "30s",
                "CLOCKRELAY_RECONCILE_DAYS", "0",
                "CLOCKRELAY_RETENTION_BUSY_SHARE", "20%"));

        assertThat(refusal.lines()).containsExactly(
                "clockrelay cannot start: 6 setting(s) to fix",
                "CLOCKODO_EXTERNAL_APPLICATION is " + application.length() + " characters long, Clockodo allows 50:"
                        + " use a short name;e-mail, e.g. clockrelay;ops@example.com",
                "CLOCKODO_DEFAULT_TIMEZONE is 'Mars/Olympus_Mons', not a time zone: use an IANA name such as Europe/Berlin",
                "CONNECTEAM_TIME_OFF_TYPES holds '9876:holiday', '1234': write <policyTypeId>:<absenceType>, the type one of "
                        + java.util.Arrays.toString(io.clockrelay.record.AbsenceType.values()),
                "CLOCKRELAY_RECONCILE_INTERVAL is shorter than a minute: use 1h (the default) or at least 1m",
                "CLOCKRELAY_RECONCILE_DAYS is '0': use a number of days from 1 to 400 (default 35)",
                "CLOCKRELAY_RETENTION_BUSY_SHARE is '20%': use a number above 0 and at most 1, e.g. 0.2 (the default)");
    }

    @Test
    void aMariaDbStoreIsRefusedBecauseMariaDbIsAPayrollTargetOnly() throws Exception {
        Refusal refusal = refusal("mariadb-store", RunningClockrelay.freePort(), Map.of(
                "CLOCKRELAY_DB_URL", "jdbc:mariadb://127.0.0.1:3306/clockrelay?password=mariadb-pa55word",
                "PAYROLL_DB_URL", "jdbc:mariadb://127.0.0.1:3306/payroll"));

        assertThat(refusal.lines()).as("a MariaDB payroll target is fine: only the store is refused").containsExactly(
                "clockrelay cannot start: 1 setting(s) to fix",
                "CLOCKRELAY_DB_URL is a MariaDB URL, but the store is H2 or PostgreSQL (MariaDB is a payroll target only):"
                        + " use jdbc:postgresql://host/db or jdbc:h2:file:./path");
        assertThat(refusal.log()).doesNotContain("mariadb-pa55word");
    }

    @Test
    void aStoreDatabaseThatDoesNotExistIsRefusedWithTheCommandsThatCreateIt() throws Exception {
        int port = postgres.getPort();

        assertThat(refusalOfPostgresStore("missing-database", "clockrelay_missing?password=url-pa55word&ssl=false", "postgres")).containsExactly(
                "clockrelay cannot start: 1 setting(s) to fix",
                "CLOCKRELAY_DB_URL names the database clockrelay_missing, which does not exist on 127.0.0.1:" + port
                        + ": create it (createdb -h 127.0.0.1 -p " + port + " -O postgres clockrelay_missing,"
                        + " or in SQL: CREATE DATABASE clockrelay_missing OWNER postgres;) or name one that exists");
    }

    @Test
    void aStoreUserThatTheDatabaseRefusesIsNamedWithoutItsPassword() throws Exception {
        int port = postgres.getPort();

        assertThat(refusalOfPostgresStore("refused-user", "postgres", "no_such_role")).containsExactly(
                "clockrelay cannot start: 1 setting(s) to fix",
                "CLOCKRELAY_DB_USER and CLOCKRELAY_DB_PASSWORD are refused by the store database on 127.0.0.1:" + port
                        + " (user 'no_such_role', SQL state 28000): set a user and password it accepts");
    }

    /** The refusal's lines with the embedded PostgreSQL as the store; no password and no stack trace in the whole output. */
    private List<String> refusalOfPostgresStore(String name, String databaseAndParameters, String user) throws Exception {
        Refusal refusal = refusal(name, RunningClockrelay.freePort(), Map.of(
                "CLOCKRELAY_DB_URL", "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/" + databaseAndParameters,
                "CLOCKRELAY_DB_USER", user,
                "CLOCKRELAY_DB_PASSWORD", "db-pa55word-never-printed"));
        assertThat(refusal.log()).doesNotContain("pa55word", "ssl=false", "Exception");
        return refusal.lines();
    }

    @Test
    void aStoreHostWhereNoDatabaseListensIsRefused() throws Exception {
        int closed = RunningClockrelay.freePort();
        Refusal refusal = refusal("no-database-there", RunningClockrelay.freePort(), Map.of(
                "CLOCKRELAY_DB_URL", "jdbc:postgresql://127.0.0.1:" + closed + "/clockrelay",
                "CLOCKRELAY_DB_USER", "postgres"));

        assertThat(refusal.lines()).containsExactly(
                "clockrelay cannot start: 1 setting(s) to fix",
                "CLOCKRELAY_DB_URL points at 127.0.0.1:" + closed + ", where no database answers (connection refused):"
                        + " start the database, or correct the host and port");
        assertThat(refusal.log()).doesNotContain("Exception");
    }

    /** Every variable the Kubernetes manifests ship as CHANGE-ME (secret.yaml's), left as it is: one line each. */
    @Test
    void everyPlaceholderOfTheKubernetesManifestsIsRefusedNamingItsVariable() throws Exception {
        Map<String, String> secret = new HashMap<>();
        try (var manifests = Files.list(Path.of("deploy/kubernetes"))) {
            for (Path manifest : manifests.filter(file -> file.toString().endsWith(".yaml")).toList()) {
                Matcher placeholder = Pattern.compile("(?m)^\\s+([A-Z0-9_]+):\\s*\"CHANGE-ME\"").matcher(Files.readString(manifest));
                while (placeholder.find()) {
                    secret.put(placeholder.group(1), "CHANGE-ME");
                }
            }
        }
        assertThat(secret).containsKeys("CLOCKEYE_WEBHOOK_SECRET", "CLOCKODO_API_USER", "CLOCKODO_API_KEY", "CLOCKRELAY_DB_PASSWORD");

        Refusal refusal = refusal("kubernetes-placeholders", RunningClockrelay.freePort(), secret);

        assertThat(refusal.lines().get(0)).isEqualTo("clockrelay cannot start: " + secret.size() + " setting(s) to fix");
        assertThat(refusal.lines().subList(1, refusal.lines().size()))
                .containsExactlyInAnyOrderElementsOf(secret.keySet().stream().map(variable -> variable + PLACEHOLDER_LINE).toList());
    }

    private record Refusal(String log, List<String> lines) {
    }

    /** Starts the jar's main class with these variables; it must exit by itself with status 2 and a refusal. */
    private Refusal refusal(String name, int managementPort, Map<String, String> environment, String... jvmOptions) throws Exception {
        Map<String, String> variables = new HashMap<>(Map.of("CLOCKRELAY_PORT", String.valueOf(RunningClockrelay.freePort()),
                "CLOCKRELAY_DB_URL", "jdbc:h2:file:" + folder.resolve("store").toAbsolutePath() + ";WRITE_DELAY=0"));
        variables.putAll(environment);
        Process process = ClockrelayProcess.start(folder, name, variables, managementPort, jvmOptions);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the process ends by itself").isTrue();
        String log = Files.readString(folder.resolve(name + ".log"));
        assertThat(process.exitValue()).as(log).isEqualTo(2);
        assertThat(log).doesNotContain("clockrelay is ready");
        // The refusal's lines: its first, then those indented under it (Camel's shutdown may log after them).
        List<String> lines = new ArrayList<>();
        for (String line : log.lines().dropWhile(line -> !line.startsWith("clockrelay cannot start")).toList()) {
            if (!lines.isEmpty() && !line.startsWith("  ")) {
                break;
            }
            lines.add(line.strip());
        }
        return new Refusal(log, lines);
    }
}
