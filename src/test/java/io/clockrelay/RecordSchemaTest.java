package io.clockrelay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The published JSON Schema of the record (docs/record.schema.json) holds for every record every fixture produces:
 * each vendor's fixtures are sent over HTTP (Clockodo's enriched from a stand-in of its API), and every record that
 * reached the deliveries is validated, formats included.
 */
class RecordSchemaTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path folder;
    static WireMockServer clockodo;
    static RunningClockrelay app;

    @BeforeAll
    static void start() {
        clockodo = new WireMockServer(options().dynamicPort());
        clockodo.start();
        app = RunningClockrelay.start(folder, Map.of(
                "clockrelay.connecteam.secrets", ConnecteamEventsToPayrollTest.SECRET,
                "clockrelay.connecteam.time-off-types", "65af9319dea5e39064086d93:vacation",
                "clockrelay.clockodo.tokens", ClockodoEnrichmentTest.TOKEN,
                "clockrelay.clockodo.api-url", "http://localhost:" + clockodo.port() + "/api",
                "clockrelay.clockodo.api-user", ClockodoEnrichmentTest.API_USER,
                "clockrelay.clockodo.api-key", ClockodoEnrichmentTest.API_KEY));
    }

    @AfterAll
    static void stop() {
        app.close();
        clockodo.stop();
    }

    @Test
    void everyRecordOfEveryFixtureIsValidAgainstThePublishedSchema() throws IOException {
        int sent = 0;
        for (Path fixture : fixtures("clockeye")) {
            assertThat(app.postClockEye(Files.readString(fixture)).statusCode()).as(fixture.toString()).isEqualTo(200);
            sent++;
        }
        for (Path fixture : fixtures("connecteam")) {
            assertThat(app.post("/webhooks/connecteam", "application/json", Files.readAllBytes(fixture), "X-Webhook-Secret",
                    ConnecteamEventsToPayrollTest.SECRET).statusCode()).as(fixture.toString()).isEqualTo(200);
            sent++;
        }
        String[][] clockodoEntities = {{"entry", "1001", "/v2/entries/1001", "entry"}, {"entry", "1002", "/v2/entries/1002", "entry-running"},
                {"entry", "1101", "/v2/entries/1101", "entry-lump-sum-value"}, {"entry", "1102", "/v2/entries/1102", "entry-lump-sum-service"},
                {"absence", "7", "/v4/absences/7", "absence"}, {"user", "5", "/v3/users/5", "user"}, {"customer", "10", "/v3/customers/10", "customer"},
                {"project", "20", "/v4/projects/20", "project"}, {"subproject", "21", "/v3/subprojects/21", "subproject"},
                {"service", "30", "/v4/services/30", "service"}, {"lump_sum_service", "40", "/v4/lumpSumServices/40", "lump_sum_service"},
                {"team", "3", "/v3/teams/3", "team"}, {"holidays_quota", "50", "/v2/holidaysQuota/50", "holidays_quota"},
                {"holidays_carry", "60", "/v3/holidaysCarry/60", "holidays_carry"}, {"overtime_carry", "70", "/v3/overtimeCarry/70", "overtime_carry"},
                {"nonbusiness_group", "80", "/v2/nonbusinessGroups/80", "nonbusiness_group"}};
        for (String[] entity : clockodoEntities) {
            clockodo.stubFor(get(urlEqualTo("/api" + entity[2])).willReturn(okJson(ClockodoEnrichmentTest.apiFixture(entity[3]))));
        }
        clockodo.stubFor(get(urlPathEqualTo("/api/v2/workTimes/changeRequests")).willReturn(okJson(ClockodoEnrichmentTest.apiFixture("work_time_change_request"))));
        for (String[] entity : clockodoEntities) {
            postClockodo(ClockodoEnrichmentTest.notification(entity[0] + ".updated", entity[0], entity[1], "2024-06-01T10:00:00Z"));
            sent++;
        }
        postClockodo(ClockodoEnrichmentTest.notification("work_time_change_request.created", "work_time_change_request", "90", "2024-06-01T10:00:00Z"));
        postClockodo(ClockodoEnrichmentTest.notification("absence.deleted", "absence", "7", "2024-06-01T11:00:00Z"));
        postClockodo("{\"subscription_id\":1,\"company_id\":2,\"occurred_at\":\"2024-06-01T10:00:00Z\",\"event_name\":\"project.budget_notification\","
                + "\"payload\":{\"id\":20,\"type\":\"projectBudget\",\"threshold\":100},\"token\":\"" + ClockodoEnrichmentTest.TOKEN + "\"}");
        app.awaitIdle();

        JsonSchema schema;
        try (InputStream in = Files.newInputStream(Path.of("docs/record.schema.json"))) {
            schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                    .getSchema(in, SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build());
        }
        List<Map<String, Object>> records = app.rows("SELECT DISTINCT record FROM deliveries");
        assertThat(records.size()).as("records of %s webhooks", sent).isGreaterThan(sent);
        assertThat(app.count("SELECT COUNT(*) FROM inbox WHERE status = 'failed'")).as("no fixture is set aside").isZero();
        for (Map<String, Object> row : records) {
            JsonNode record = JSON.readTree((String) row.get("RECORD"));
            Set<ValidationMessage> problems = schema.validate(record);
            assertThat(problems).as(record.toString()).isEmpty();
        }
    }

    private static List<Path> fixtures(String vendor) throws IOException {
        try (Stream<Path> files = Files.walk(Path.of("src/test/resources/fixtures", vendor))) {
            return files.filter(file -> file.toString().endsWith(".json") && !file.toString().contains("/api/")).sorted().toList();
        }
    }

    private static void postClockodo(String body) {
        assertThat(app.post("/webhooks/clockodo", "application/json", body.getBytes(StandardCharsets.UTF_8)).statusCode()).as(body).isEqualTo(200);
    }
}
