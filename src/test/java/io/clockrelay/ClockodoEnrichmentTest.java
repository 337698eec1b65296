package io.clockrelay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Clockodo's ID-only notifications, enriched in the process stage through a stand-in of Clockodo's API (WireMock,
 * answers shaped as Clockodo's: snake_case, {@code entry} envelope for entries, {@code data} for the rest).
 */
class ClockodoEnrichmentTest {

    static final String TOKEN = "clockodo-webhook-token-01";
    static final String API_USER = "api-user@example.com";
    static final String API_KEY = "clockodo-api-key-0000000001";
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
                "clockrelay.clockodo.tokens", TOKEN,
                "clockrelay.clockodo.api-url", "http://localhost:" + clockodo.port() + "/api",
                "clockrelay.clockodo.api-user", API_USER,
                "clockrelay.clockodo.api-key", API_KEY,
                "clockrelay.clockodo.external-application", "clockrelay-test;ops@example.com"));
    }

    @AfterAll
    static void stop() {
        app.close();
        clockodo.stop();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "entry.created,            entry,                    1001, /v2/entries/1001,            entry,                    time_entry",
            "entry.updated,            entry,                    1003, /v2/entries/1003,            entry,                    time_entry",
            "entry.stopped,            entry,                    1004, /v2/entries/1004,            entry,                    time_entry",
            "entry.started,            entry,                    1002, /v2/entries/1002,            entry-running,            time_entry",
            "user.created,             user,                     5,    /v3/users/5,                 user,                     user",
            "absence.created,          absence,                  7,    /v4/absences/7,              absence,                  absence",
            "absence.approved,         absence,                  8,    /v4/absences/8,              absence,                  absence",
            "customer.created,         customer,                 10,   /v3/customers/10,            customer,                 customer",
            "project.completed,        project,                  20,   /v4/projects/20,             project,                  project",
            "subproject.updated,       subproject,               21,   /v3/subprojects/21,          subproject,               subproject",
            "service.created,          service,                  30,   /v4/services/30,             service,                  service",
            "lump_sum_service.created, lump_sum_service,         40,   /v4/lumpSumServices/40,      lump_sum_service,         lump_sum_service",
            "team.updated,             team,                     3,    /v3/teams/3,                 team,                     team",
            "holidays_quota.created,   holidays_quota,           50,   /v2/holidaysQuota/50,        holidays_quota,           holidays_quota",
            "holidays_carry.updated,   holidays_carry,           60,   /v3/holidaysCarry/60,        holidays_carry,           holidays_carry",
            "overtime_carry.created,   overtime_carry,           70,   /v3/overtimeCarry/70,        overtime_carry,           overtime_carry",
            "nonbusiness_group.updated, nonbusiness_group,       80,   /v2/nonbusinessGroups/80,    nonbusiness_group,        nonbusiness_group",
            "work_time_change_request.created, work_time_change_request, 90, /v2/workTimes/changeRequests, work_time_change_request, work_time_change_request"})
    void everyEventFamilyIsFetchedFromClockodoAndBecomesACanonicalRecord(String eventName, String kind, String id, String path,
                                                                        String answer, String entity) throws IOException {
        clockodo.stubFor(get(urlEqualTo("/api" + path)).willReturn(okJson(apiFixture(answer))));

        assertThat(post(notification(eventName, kind, id, "2024-03-01T10:00:00Z")).body()).isEqualTo("{\"status\":\"accepted\"}");

        Map<String, Object> row = awaitRecord("clockodo:" + entity + ":" + id, eventName);
        JsonNode record = JSON.readTree((String) row.get("RECORD"));
        assertThat(row).containsEntry("ENTITY", entity).containsEntry("DELETED", false);
        assertThat(RunningClockrelay.instant(row.get("LAST_EVENT_AT"))).isEqualTo("2024-03-01T10:00:00Z");
        switch (kind) {
            case "entry" -> {
                assertThat(row).containsEntry("USER_ID", "5");
                assertThat(RunningClockrelay.instant(row.get("STARTS_AT"))).isIn(Instant.parse("2024-01-15T08:00:00Z"), Instant.parse("2024-01-15T10:00:00Z"));
                if (answer.equals("entry-running")) {
                    assertThat(row.get("ENDS_AT")).as("a running entry has no end").isNull();
                } else {
                    assertThat(RunningClockrelay.instant(row.get("ENDS_AT"))).isEqualTo("2024-01-15T09:30:00Z");
                    assertThat(row).containsEntry("DURATION_SECONDS", 5400L);
                    assertThat(record.get("attributes").get("customers_id").asInt()).isEqualTo(10);
                    assertThat(record.get("attributes").get("projects_id").asInt()).isEqualTo(20);
                    assertThat(record.get("attributes").get("services_id").asInt()).isEqualTo(30);
                    assertThat(record.get("attributes").get("billable").asInt()).isEqualTo(1);
                    assertThat(record.get("attributes").get("text").asText()).isEqualTo("Sprint planning");
                }
            }
            case "absence" -> {
                assertThat(row).containsEntry("USER_ID", "5");
                assertThat(RunningClockrelay.instant(row.get("STARTS_AT"))).isEqualTo("2024-02-01T00:00:00Z");
                assertThat(RunningClockrelay.instant(row.get("ENDS_AT"))).as("date_until is the last day").isEqualTo("2024-02-04T00:00:00Z");
                assertThat(record.get("attributes").get("status").asInt()).isEqualTo(1);
                assertThat(record.get("attributes").get("type").asInt()).isEqualTo(1);
                assertThat(record.get("attributes").get("count_days").asDouble()).isEqualTo(3.0);
            }
            case "user" -> {
                assertThat(row).containsEntry("USER_ID", "5");
                assertThat(record.get("attributes").get("email").asText()).isEqualTo("mira@example.com");
            }
            case "work_time_change_request" -> {
                assertThat(row).as("the one with id 90 out of Clockodo's list").containsEntry("USER_ID", "5");
                assertThat(record.get("attributes").get("date").asText()).isEqualTo("2024-01-16");
            }
            case "holidays_quota", "holidays_carry", "overtime_carry" -> assertThat(row).containsEntry("USER_ID", "5");
            default -> assertThat(record.get("attributes").size()).isGreaterThan(1);
        }
    }

    @Test
    void everyFetchCarriesTheHeadersClockodoRequires() {
        clockodo.stubFor(get(urlEqualTo("/api/v2/entries/1010")).willReturn(okJson(apiFixture("entry"))));

        post(notification("entry.created", "entry", "1010", "2024-03-02T10:00:00Z"));
        awaitRecord("clockodo:time_entry:1010", "entry.created");

        clockodo.verify(getRequestedFor(urlEqualTo("/api/v2/entries/1010"))
                .withHeader("X-ClockodoApiUser", equalTo(API_USER))
                .withHeader("X-ClockodoApiKey", equalTo(API_KEY))
                .withHeader("X-Clockodo-External-Application", equalTo("clockrelay-test;ops@example.com"))
                .withHeader("X-ClockodoEnableIsoUtcDateTimes", equalTo("1")));
    }

    @Test
    void aDeletedEventBecomesADeletionWithoutAskingClockodo() {
        post(notification("customer.deleted", "customer", "1020", "2024-03-03T10:00:00Z"));

        assertThat(awaitRecord("clockodo:customer:1020", "customer.deleted")).containsEntry("DELETED", true);
        assertThat(clockodo.findAll(getRequestedFor(urlEqualTo("/api/v3/customers/1020")))).isEmpty();
    }

    @Test
    void anEntityClockodoNoLongerHasBecomesADeletion() {
        clockodo.stubFor(get(urlEqualTo("/api/v2/entries/2001")).willReturn(aResponse().withStatus(404).withBody("{\"error\":{\"message\":\"Not found\"}}")));

        post(notification("entry.updated", "entry", "2001", "2024-03-04T10:00:00Z"));

        assertThat(awaitRecord("clockodo:time_entry:2001", "entry.updated")).containsEntry("DELETED", true);
    }

    @Test
    void aRateLimitedFetchWaitsAtLeastRetryAfterThenSucceeds() {
        String path = "/api/v2/entries/2002";
        clockodo.stubFor(get(urlEqualTo(path)).inScenario("rate-limited").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "3")).willSetStateTo("allowed"));
        clockodo.stubFor(get(urlEqualTo(path)).inScenario("rate-limited").whenScenarioStateIs("allowed")
                .willReturn(okJson(apiFixture("entry"))));

        post(notification("entry.updated", "entry", "2002", "2024-03-05T10:00:00Z"));
        awaitRecord("clockodo:time_entry:2002", "entry.updated");

        List<Instant> requests = requestTimes(path);
        assertThat(requests).hasSize(2);
        assertThat(Duration.between(requests.get(0), requests.get(1))).as("Retry-After: 3 honoured").isGreaterThanOrEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void aServerErrorIsRetriedUntilClockodoAnswers() {
        String path = "/api/v2/entries/2003";
        clockodo.stubFor(get(urlEqualTo(path)).inScenario("failing").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(500)).willSetStateTo("recovered"));
        clockodo.stubFor(get(urlEqualTo(path)).inScenario("failing").whenScenarioStateIs("recovered")
                .willReturn(okJson(apiFixture("entry"))));

        post(notification("entry.updated", "entry", "2003", "2024-03-06T10:00:00Z"));

        assertThat(awaitRecord("clockodo:time_entry:2003", "entry.updated")).containsEntry("DURATION_SECONDS", 5400L);
        assertThat(requestTimes(path)).hasSize(2);
    }

    @Test
    void duringAnApiOutageWebhooksAreAcceptedAndAreDeliveredOnceItReturns() {
        for (String id : new String[] {"2004", "2005", "2006"}) {
            clockodo.stubFor(get(urlEqualTo("/api/v2/entries/" + id)).willReturn(aResponse().withStatus(503)));
        }
        for (String id : new String[] {"2004", "2005", "2006"}) {
            assertThat(post(notification("entry.created", "entry", id, "2024-03-07T10:00:00Z")).body()).isEqualTo("{\"status\":\"accepted\"}");
        }
        app.awaitRow(row -> ((Number) row.get("N")).intValue() == 3,
                "SELECT COUNT(*) AS n FROM inbox WHERE source = 'clockodo' AND event_type = 'entry.created' AND attempts >= 1 AND status = 'pending'"
                        + " AND event_id LIKE 'entry.created:entry:200%'");

        for (String id : new String[] {"2004", "2005", "2006"}) {
            clockodo.stubFor(get(urlEqualTo("/api/v2/entries/" + id)).willReturn(okJson(apiFixture("entry"))));
        }

        for (String id : new String[] {"2004", "2005", "2006"}) {
            assertThat(awaitRecord("clockodo:time_entry:" + id, "entry.created")).containsEntry("USER_ID", "5");
        }
    }

    @Test
    void refusedCredentialsAreReportedByTheHealthCheckAndTheEventWaitsForThem() {
        String path = "/api/v2/entries/2020";
        clockodo.stubFor(get(urlEqualTo(path)).willReturn(aResponse().withStatus(401)));

        post(notification("entry.updated", "entry", "2020", "2024-03-08T10:00:00Z"));
        app.awaitRow("SELECT * FROM inbox WHERE event_id = 'entry.updated:entry:2020:2024-03-08T10:00:00Z' AND attempts >= 1");
        String health = app.get(app.managementPort, "/observe/health?exposureLevel=full").body();
        assertThat(health).contains("Clockodo refused the API credentials (HTTP 401)").doesNotContain(API_KEY);
        assertThat(app.get(app.managementPort, "/observe/health").statusCode()).as("still ready: webhooks are accepted").isEqualTo(200);
        assertThat(app.get(app.managementPort, "/observe/metrics").body()).containsPattern("(?m)^clockrelay_clockodo_api_calls_total\\{status=\"401\"} [1-9]");

        clockodo.stubFor(get(urlEqualTo(path)).willReturn(okJson(apiFixture("entry"))));

        awaitRecord("clockodo:time_entry:2020", "entry.updated");
    }

    @Test
    void eventsForOneEntityArrivingTogetherFetchItOnce() {
        String path = "/api/v2/entries/2030";
        clockodo.stubFor(get(urlEqualTo(path)).willReturn(okJson(apiFixture("entry"))));

        for (int second = 0; second < 3; second++) {
            post(notification("entry.updated", "entry", "2030", "2024-03-09T10:00:0" + second + "Z"));
        }
        app.awaitRow(row -> ((Number) row.get("N")).intValue() == 3,
                "SELECT COUNT(*) AS n FROM inbox WHERE event_id LIKE 'entry.updated:entry:2030:%' AND status = 'done'");

        assertThat(clockodo.findAll(getRequestedFor(urlEqualTo(path)))).hasSize(1);
    }

    static String notification(String eventName, String kind, String id, String occurredAt) {
        return "{\"subscription_id\":12,\"company_id\":34,\"occurred_at\":\"" + occurredAt + "\",\"event_name\":\"" + eventName
                + "\",\"payload\":{\"" + kind + "\":{\"id\":" + id + "}},\"token\":\"" + TOKEN + "\"}";
    }

    private static java.net.http.HttpResponse<String> post(String body) {
        return app.post("/webhooks/clockodo", "application/json", body.getBytes(StandardCharsets.UTF_8));
    }

    static String apiFixture(String name) {
        try {
            return Files.readString(Path.of("src/test/resources/fixtures/clockodo/api", name + ".json"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<Instant> requestTimes(String path) {
        return clockodo.getAllServeEvents().stream()
                .filter(event -> event.getRequest().getUrl().equals(path))
                .map(ServeEvent::getRequest)
                .map(request -> request.getLoggedDate().toInstant())
                .sorted(Comparator.naturalOrder())
                .toList();
    }

    private static Map<String, Object> awaitRecord(String recordId, String lastEventType) {
        return app.awaitRow(row -> lastEventType.equals(row.get("LAST_EVENT_TYPE")),
                "SELECT * FROM payroll_time_records WHERE record_id = ?", recordId);
    }
}
