package io.clockrelay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reconciliation against stand-ins of Clockodo's and Connecteam's APIs answering as their API descriptions say (paged
 * entries, absences by year, time clocks and their activities by user): what the webhooks never delivered appears in
 * the payroll table, what changed upstream is updated, what is gone upstream is flagged deleted, and a second run
 * with nothing changed stores and delivers nothing. An API that fails mid-way leaves nothing half-applied.
 */
class ReconciliationTest {

    static final String ADMIN = "admin-token-reconcile-0001";
    static final String CONNECTEAM_KEY = "connecteam-api-key-000000001";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path folder;
    static WireMockServer apis;
    static RunningClockrelay app;

    @BeforeAll
    static void start() {
        apis = new WireMockServer(options().dynamicPort());
        apis.start();
        apis.stubFor(get(urlEqualTo("/api/v3/users/5")).willReturn(okJson(ClockodoEnrichmentTest.apiFixture("user"))));
        Map<String, String> settings = new HashMap<>();
        settings.put("clockrelay.admin.token", ADMIN);
        settings.put("clockrelay.clockodo.tokens", ClockodoEnrichmentTest.TOKEN);
        settings.put("clockrelay.clockodo.api-url", "http://localhost:" + apis.port() + "/api");
        settings.put("clockrelay.clockodo.api-user", ClockodoEnrichmentTest.API_USER);
        settings.put("clockrelay.clockodo.api-key", ClockodoEnrichmentTest.API_KEY);
        settings.put("clockrelay.connecteam.secrets", ConnecteamEventsToPayrollTest.SECRET);
        settings.put("clockrelay.connecteam.api-url", "http://localhost:" + apis.port() + "/connecteam");
        settings.put("clockrelay.connecteam.api-key", CONNECTEAM_KEY);
        settings.put("clockrelay.connecteam.time-off-types", "65af9319dea5e39064086d93:vacation");
        app = RunningClockrelay.start(folder, settings);
    }

    @AfterAll
    static void stop() {
        app.close();
        apis.stop();
    }

    @Test
    void clockodoEntriesAndAbsencesMissedChangedOrGoneAreHealedAndASecondRunDoesNothing() throws IOException {
        // Three entries came as webhooks: 3001 (edited upstream since), 3004 (deleted upstream since), 3006 (unchanged).
        apis.stubFor(get(urlEqualTo("/api/v2/entries/3001")).willReturn(okJson(entry(3001, "2024-08-12T08:00:00Z", "2024-08-12T09:30:00Z", 5400))));
        apis.stubFor(get(urlEqualTo("/api/v2/entries/3004")).willReturn(okJson(entry(3004, "2024-08-13T08:00:00Z", "2024-08-13T09:00:00Z", 3600))));
        apis.stubFor(get(urlEqualTo("/api/v2/entries/3006")).willReturn(okJson(entry(3006, "2024-08-16T08:00:00Z", "2024-08-16T09:00:00Z", 3600))));
        postClockodo(ClockodoEnrichmentTest.notification("entry.created", "entry", "3001", "2024-08-12T09:31:00Z"));
        postClockodo(ClockodoEnrichmentTest.notification("entry.created", "entry", "3004", "2024-08-13T09:01:00Z"));
        postClockodo(ClockodoEnrichmentTest.notification("entry.created", "entry", "3006", "2024-08-16T09:01:00Z"));
        app.awaitRow(row -> ((Number) row.get("N")).intValue() == 3, "SELECT COUNT(*) AS n FROM payroll_time_records"
                + " WHERE record_id IN ('clockodo:time_entry:3001', 'clockodo:time_entry:3004', 'clockodo:time_entry:3006')");

        // Upstream now: 3001 longer, 3002 never sent, a lump sum 3003 on page 2, an absence 3005; 3004 is gone.
        apis.stubFor(get(urlPathEqualTo("/api/v2/entries")).withQueryParam("page", equalTo("1")).willReturn(okJson(
                "{\"paging\":{\"items_per_page\":2,\"current_page\":1,\"count_pages\":2,\"count_items\":3},\"filter\":null,\"entries\":["
                        + inner(entry(3001, "2024-08-12T08:00:00Z", "2024-08-12T10:00:00Z", 7200)) + ","
                        + inner(entry(3002, "2024-08-14T13:00:00Z", "2024-08-14T17:00:00Z", 14400)) + "]}")));
        // (The second page also lists 3006 as its webhook brought it: nothing to heal.)
        apis.stubFor(get(urlPathEqualTo("/api/v2/entries")).withQueryParam("page", equalTo("2")).willReturn(okJson(
                "{\"paging\":{\"items_per_page\":2,\"current_page\":2,\"count_pages\":2,\"count_items\":3},\"filter\":null,\"entries\":["
                        + inner(ClockodoEnrichmentTest.apiFixture("entry-lump-sum-value").replace("1101", "3003").replace("2024-01-16", "2024-08-15")) + ","
                        + inner(entry(3006, "2024-08-16T08:00:00Z", "2024-08-16T09:00:00Z", 3600)) + "]}")));
        apis.stubFor(get(urlPathEqualTo("/api/v4/absences")).withQueryParam("filter[year]", equalTo("2024")).willReturn(okJson(
                "{\"data\":[" + inner(ClockodoEnrichmentTest.apiFixture("absence").replace("\"id\": 7", "\"id\": 3005")
                        .replace("2024-02-01", "2024-08-19").replace("2024-02-03", "2024-08-20")) + "]}")));

        JsonNode report = reconcile("clockodo", "2024-08-01T00:00:00Z", "2024-08-31T00:00:00Z");

        assertThat(report.get("checked").asInt()).isEqualTo(5);
        assertThat(report.get("missing").asInt()).isEqualTo(3);
        assertThat(report.get("changed").asInt()).isEqualTo(1);
        assertThat(report.get("removed").asInt()).isEqualTo(1);
        assertThat(awaitRecord("clockodo:time_entry:3002")).containsEntry("DURATION_SECONDS", 14400L).containsEntry("TIME_KIND", "work")
                .containsEntry("LAST_EVENT_TYPE", "reconciled").containsEntry("DELETED", false);
        assertThat(app.awaitRow(row -> Long.valueOf(7200L).equals(row.get("DURATION_SECONDS")),
                "SELECT * FROM payroll_time_records WHERE record_id = 'clockodo:time_entry:3001'")).containsEntry("LAST_EVENT_TYPE", "reconciled");
        assertThat(awaitRecord("clockodo:lump_sum_entry:3003")).containsEntry("TIME_KIND", null);
        assertThat(awaitRecord("clockodo:absence:3005")).containsEntry("STATUS", "approved").containsEntry("ABSENCE_TYPE", "vacation");
        assertThat(app.awaitRow(row -> Boolean.TRUE.equals(row.get("DELETED")),
                "SELECT * FROM payroll_time_records WHERE record_id = 'clockodo:time_entry:3004'")).containsEntry("LAST_EVENT_TYPE", "reconciled");
        assertThat(apis.findAll(getRequestedFor(urlEqualTo("/api/v2/entries/3002")))).as("the listed entity is not fetched again").isEmpty();
        assertThat(app.count("SELECT COUNT(*) FROM inbox WHERE event_id LIKE 'reconciled:time_entry:3006:%'")).as("unchanged: nothing to heal").isZero();

        app.awaitIdle();
        long deliveries = app.count("SELECT COUNT(*) FROM deliveries");
        long inbox = app.count("SELECT COUNT(*) FROM inbox");
        JsonNode again = reconcile("clockodo", "2024-08-01T00:00:00Z", "2024-08-31T00:00:00Z");
        assertThat(again.get("checked").asInt()).isEqualTo(5);
        assertThat(List.of(again.get("missing").asInt(), again.get("changed").asInt(), again.get("removed").asInt())).containsExactly(0, 0, 0);
        app.awaitIdle();
        assertThat(app.count("SELECT COUNT(*) FROM inbox")).as("nothing stored").isEqualTo(inbox);
        assertThat(app.count("SELECT COUNT(*) FROM deliveries")).as("nothing delivered").isEqualTo(deliveries);
    }

    @Test
    void connecteamActivitiesOfEveryTimeClockAreReadInRangesTheApiTakesAndTheMissedOnesDelivered() throws IOException {
        apis.stubFor(get(urlEqualTo("/connecteam/time-clock/v1/time-clocks")).withHeader("X-API-KEY", equalTo(CONNECTEAM_KEY)).willReturn(okJson(
                "{\"requestId\":\"r-clocks\",\"data\":{\"timeClocks\":[{\"id\":67,\"name\":\"Warehouse\",\"isArchived\":false},"
                        + "{\"id\":68,\"name\":\"Old site\",\"isArchived\":true}]}}")));
        apis.stubFor(get(urlPathEqualTo("/connecteam/time-clock/v1/time-clocks/67/time-activities")).withQueryParam("startDate", equalTo("2024-07-20"))
                .willReturn(okJson("{\"requestId\":\"r-67-1\",\"data\":{\"timeActivitiesByUsers\":[{\"userId\":501,\"shifts\":["
                        + "{\"id\":\"66c0000000000000000a0001\",\"start\":{\"timestamp\":1722412800,\"timezone\":\"Europe/Vienna\"},"
                        + "\"end\":{\"timestamp\":1722441600,\"timezone\":\"Europe/Vienna\"},\"createdAt\":1722412800,\"modifiedAt\":1722441600,"
                        + "\"jobId\":\"cc6e0b98-1f9a-4e3f-8535-c02d55a362d8\",\"shiftAttachments\":[],\"isAutoClockOut\":false}],"
                        + "\"manualBreaks\":[],\"timeOffs\":[{\"id\":\"66c0000000000000000a0002\",\"start\":{\"timestamp\":1722549600,\"timezone\":\"Europe/Vienna\"},"
                        + "\"end\":{\"timestamp\":1722635999,\"timezone\":\"Europe/Vienna\"},\"policyTypeId\":\"65af9319dea5e39064086d93\","
                        + "\"duration\":{\"value\":1,\"units\":\"days\"},\"isAllDay\":true}]}]}}")));
        apis.stubFor(get(urlPathEqualTo("/connecteam/time-clock/v1/time-clocks/67/time-activities")).withQueryParam("startDate", equalTo("2024-08-20"))
                .willReturn(okJson("{\"requestId\":\"r-67-2\",\"data\":{\"timeActivitiesByUsers\":[]}}")));
        apis.stubFor(get(urlPathEqualTo("/connecteam/time-clock/v1/time-clocks/68/time-activities"))
                .willReturn(okJson("{\"requestId\":\"r-68\",\"data\":{\"timeActivitiesByUsers\":[{\"userId\":502,\"shifts\":[],\"manualBreaks\":[]}]}}")));

        JsonNode report = reconcile("connecteam", "2024-07-20T00:00:00Z", "2024-08-29T00:00:00Z");

        assertThat(report.get("checked").asInt()).isEqualTo(2);
        assertThat(report.get("missing").asInt()).isEqualTo(2);
        Map<String, Object> shift = awaitRecord("connecteam:shift:66c0000000000000000a0001");
        assertThat(shift).containsEntry("USER_ID", "501").containsEntry("TIME_KIND", "work").containsEntry("DURATION_SECONDS", 28_800L)
                .containsEntry("LAST_EVENT_TYPE", "reconciled").containsEntry("STATUS", null);
        Map<String, Object> timeOff = awaitRecord("connecteam:time_off:66c0000000000000000a0002");
        assertThat(timeOff).containsEntry("ABSENCE_TYPE", "vacation").containsEntry("QUANTITY_UNIT", "days").containsEntry("DURATION_SECONDS", null);
        assertThat((BigDecimal) timeOff.get("QUANTITY_VALUE")).isEqualByComparingTo("1");
        // 41 days: two requests per clock, each at most 31 days.
        assertThat(apis.findAll(getRequestedFor(urlPathEqualTo("/connecteam/time-clock/v1/time-clocks/67/time-activities"))))
                .extracting(request -> request.queryParameter("startDate").firstValue() + ".." + request.queryParameter("endDate").firstValue())
                .containsExactlyInAnyOrder("2024-07-20..2024-08-19", "2024-08-20..2024-08-29");
    }

    /**
     * Connecteam's list says nothing of approval: an activity it lists changed since its webhooks (here its
     * {@code modifiedAt}) is corrected from the list, and a declined one stays declined.
     */
    @Test
    void aDeclinedConnecteamActivityListedAgainStaysDeclined() throws IOException {
        String timeOff = "{\"id\":\"66c0000000000000000b0001\",\"start\":{\"timestamp\":1722837600,\"timezone\":\"Europe/Vienna\"},"
                + "\"end\":{\"timestamp\":1722846600,\"timezone\":\"Europe/Vienna\"},\"policyTypeId\":\"65af9319dea5e39064086d93\","
                + "\"duration\":{\"value\":2.5,\"units\":\"hours\"},\"isAllDay\":false,\"createdAt\":1722600000,\"modifiedAt\":%d}";
        postConnecteam(ConnecteamEventsToPayrollTest.timeActivity("admin_add", "time_off", "req-rec-1", 503, timeOff.formatted(1722600000), 1722600000)
                .replace("\"timeClockId\":67", "\"timeClockId\":70"));
        postConnecteam("{\"requestId\":\"req-rec-2\",\"company\":\"c1\",\"eventType\":\"admin_declined_request\",\"activityType\":\"time_off\","
                + "\"eventTimestamp\":1722600100,\"userId\":503,\"timeClockId\":70,\"timeActivityId\":\"66c0000000000000000b0001\"}");
        app.awaitRow(row -> "declined".equals(row.get("STATUS")), "SELECT status FROM payroll_time_records WHERE record_id = ?",
                "connecteam:time_off:66c0000000000000000b0001");
        apis.stubFor(get(urlEqualTo("/connecteam/time-clock/v1/time-clocks")).willReturn(okJson(
                "{\"requestId\":\"r-clocks-2\",\"data\":{\"timeClocks\":[{\"id\":70,\"name\":\"Office\",\"isArchived\":false}]}}")));
        apis.stubFor(get(urlPathEqualTo("/connecteam/time-clock/v1/time-clocks/70/time-activities")).withQueryParam("startDate", equalTo("2024-08-04"))
                .willReturn(okJson("{\"requestId\":\"r-67-3\",\"data\":{\"timeActivitiesByUsers\":[{\"userId\":503,\"shifts\":[],"
                        + "\"manualBreaks\":[],\"timeOffs\":[" + timeOff.formatted(1722700000) + "]}]}}")));

        JsonNode report = reconcile("connecteam", "2024-08-04T00:00:00Z", "2024-08-06T00:00:00Z");

        assertThat(report.get("changed").asInt()).isEqualTo(1);
        Map<String, Object> row = app.awaitRow(found -> "reconciled".equals(found.get("LAST_EVENT_TYPE")),
                "SELECT * FROM payroll_time_records WHERE record_id = ?", "connecteam:time_off:66c0000000000000000b0001");
        assertThat(row).containsEntry("STATUS", "declined").containsEntry("DURATION_SECONDS", 9000L).containsEntry("TIME_KIND", "absence");
    }

    @Test
    void anApiFailingMidwayLeavesNothingHalfAppliedAndTheNextRunCompletes() throws IOException {
        apis.stubFor(get(urlPathEqualTo("/api/v2/entries")).withQueryParam("time_since", equalTo("2024-10-01T00:00:00Z")).withQueryParam("page", equalTo("1"))
                .willReturn(okJson("{\"paging\":{\"items_per_page\":1,\"current_page\":1,\"count_pages\":2,\"count_items\":2},\"entries\":["
                        + inner(entry(3101, "2024-10-10T08:00:00Z", "2024-10-10T09:00:00Z", 3600)) + "]}")));
        apis.stubFor(get(urlPathEqualTo("/api/v2/entries")).withQueryParam("time_since", equalTo("2024-10-01T00:00:00Z")).withQueryParam("page", equalTo("2"))
                .willReturn(aResponse().withStatus(503)));

        HttpResponse<String> failed = app.post(app.managementPort, "/admin/reconcile?source=clockodo&since=2024-10-01T00:00:00Z&until=2024-10-31T00:00:00Z", ADMIN);

        assertThat(failed.statusCode()).isEqualTo(502);
        assertThat(failed.body()).contains("clockodo's API failed during the reconciliation");
        assertThat(app.count("SELECT COUNT(*) FROM inbox WHERE event_id LIKE 'reconciled:time_entry:3101:%'")).as("nothing half-applied").isZero();
        assertThat(app.get(app.managementPort, "/observe/metrics").body()).contains("clockrelay_reconcile_runs_total{outcome=\"failure\",source=\"clockodo\"}");

        apis.stubFor(get(urlPathEqualTo("/api/v2/entries")).withQueryParam("time_since", equalTo("2024-10-01T00:00:00Z")).withQueryParam("page", equalTo("2"))
                .willReturn(okJson("{\"paging\":{\"items_per_page\":1,\"current_page\":2,\"count_pages\":2,\"count_items\":2},\"entries\":["
                        + inner(entry(3102, "2024-10-11T08:00:00Z", "2024-10-11T09:00:00Z", 3600)) + "]}")));
        JsonNode report = reconcile("clockodo", "2024-10-01T00:00:00Z", "2024-10-31T00:00:00Z");
        assertThat(report.get("missing").asInt()).isEqualTo(2);
        awaitRecord("clockodo:time_entry:3101");
        awaitRecord("clockodo:time_entry:3102");
    }

    @Test
    void theAdminEndpointRefusesABadSourceABadRangeAndASecondRunAtOnce() {
        assertThat(refusal("/admin/reconcile?source=kronos")).containsEntry(400, "source must be one of [clockodo, connecteam]");
        assertThat(refusal("/admin/reconcile?source=clockodo&since=2024-08-02T00:00:00Z&until=2024-08-01T00:00:00Z"))
                .containsEntry(400, "since must be before until, at most 400 days apart");
        assertThat(refusal("/admin/reconcile?source=clockodo&since=yesterday")).containsEntry(400, "since and until are ISO-8601 instants, as 2024-01-15T00:00:00Z");
        assertThat(app.get(app.managementPort, "/admin/reconcile?source=clockodo", "Authorization", "Bearer " + ADMIN).statusCode()).isEqualTo(405);

        // Another instance is reconciling Clockodo: it holds the job's lease.
        app.rows("INSERT INTO clockrelay_jobs (name) SELECT 'reconcile-clockodo' FROM (VALUES (1)) one"
                + " WHERE NOT EXISTS (SELECT 1 FROM clockrelay_jobs WHERE name = 'reconcile-clockodo')");
        app.rows("UPDATE clockrelay_jobs SET holder = 'another-instance', lease_until = ? WHERE name = 'reconcile-clockodo'",
                Timestamp.from(Instant.now().plusSeconds(600)));
        try {
            assertThat(refusal("/admin/reconcile?source=clockodo&since=2024-11-01T00:00:00Z&until=2024-11-02T00:00:00Z"))
                    .containsEntry(409, "a reconciliation of clockodo is running already: try again when it has finished");
        } finally {
            app.rows("UPDATE clockrelay_jobs SET holder = NULL, lease_until = NULL WHERE name = 'reconcile-clockodo'");
        }
    }

    private static Map<Integer, String> refusal(String path) {
        HttpResponse<String> answer = app.post(app.managementPort, path, ADMIN);
        try {
            String error = JSON.readTree(answer.body()).get("error").asText();
            return Map.of(answer.statusCode(), error);
        } catch (IOException e) {
            throw new IllegalStateException(answer.body(), e);
        }
    }

    private static JsonNode reconcile(String source, String since, String until) throws IOException {
        HttpResponse<String> answer = app.post(app.managementPort, "/admin/reconcile?source=" + source + "&since=" + since + "&until=" + until, ADMIN);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonNode report = JSON.readTree(answer.body());
        assertThat(report.get("source").asText()).isEqualTo(source);
        assertThat(report.get("since").asText()).isEqualTo(since);
        return report;
    }

    /** An entry as Clockodo's API gives it ({"entry": {...}}), of user 5, type 1. */
    private static String entry(int id, String since, String until, int duration) {
        return ClockodoEnrichmentTest.apiFixture("entry").replace("1001", String.valueOf(id))
                .replace("2024-01-15T08:00:00Z", since).replace("2024-01-15T09:30:00Z", until).replace("5400", String.valueOf(duration));
    }

    /** The entity inside its envelope. */
    private static String inner(String enveloped) {
        try {
            JsonNode node = JSON.readTree(enveloped);
            return node.has("entry") ? node.get("entry").toString() : node.has("data") ? node.get("data").toString() : node.toString();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void postClockodo(String body) {
        assertThat(app.post("/webhooks/clockodo", "application/json", body.getBytes(StandardCharsets.UTF_8)).body()).isEqualTo("{\"status\":\"accepted\"}");
    }

    private static void postConnecteam(String body) {
        assertThat(ConnecteamEventsToPayrollTest.postTo(app, body).body()).isEqualTo("{\"status\":\"accepted\"}");
    }

    private static Map<String, Object> awaitRecord(String recordId) {
        return app.awaitRow("SELECT * FROM payroll_time_records WHERE record_id = ?", recordId);
    }
}
