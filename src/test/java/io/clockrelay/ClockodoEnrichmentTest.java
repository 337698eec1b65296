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
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
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
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Clockodo's ID-only notifications, enriched through a stand-in of Clockodo's API (WireMock) that answers as Clockodo's
 * own API description says (vendor-docs/clockodo-api-facts.md: snake_case, {@code entry} envelope for entries,
 * {@code data} for the rest, paged lists), followed to the payroll row's columns.
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
        // Mira works in Berlin, Sam in New York: their local days are what their absences and work dates count.
        clockodo.stubFor(get(urlEqualTo("/api/v3/users/5")).willReturn(okJson(apiFixture("user"))));
        clockodo.stubFor(get(urlEqualTo("/api/v3/users/6")).willReturn(okJson(apiFixture("user-new-york"))));
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
            "entry.created,            entry,             1001, /v2/entries/1001,         entry,             time_entry",
            "user.updated,             user,              5,    /v3/users/5,              user,              user",
            "customer.created,         customer,          10,   /v3/customers/10,         customer,          customer",
            "project.completed,        project,           20,   /v4/projects/20,          project,           project",
            "subproject.updated,       subproject,        21,   /v3/subprojects/21,       subproject,        subproject",
            "service.created,          service,           30,   /v4/services/30,          service,           service",
            "lump_sum_service.created, lump_sum_service,  40,   /v4/lumpSumServices/40,   lump_sum_service,  lump_sum_service",
            "team.updated,             team,              3,    /v3/teams/3,              team,              team",
            "holidays_quota.created,   holidays_quota,    50,   /v2/holidaysQuota/50,     holidays_quota,    holidays_quota",
            "holidays_carry.updated,   holidays_carry,    60,   /v3/holidaysCarry/60,     holidays_carry,    holidays_carry",
            "overtime_carry.created,   overtime_carry,    70,   /v3/overtimeCarry/70,     overtime_carry,    overtime_carry",
            "nonbusiness_group.updated, nonbusiness_group, 80,  /v2/nonbusinessGroups/80, nonbusiness_group, nonbusiness_group"})
    void everyEntityIsFetchedFromItsPathAndKeepsItsFields(String eventName, String kind, String id, String path, String answer,
                                                          String entity) throws IOException {
        if (!path.equals("/v3/users/5")) {
            clockodo.stubFor(get(urlEqualTo("/api" + path)).willReturn(okJson(apiFixture(answer))));
        }

        assertThat(post(notification(eventName, kind, id, "2024-03-01T10:00:00Z")).body()).isEqualTo("{\"status\":\"accepted\"}");

        Map<String, Object> row = awaitRecord("clockodo:" + entity + ":" + id, eventName);
        JsonNode fetched = JSON.readTree(apiFixture(answer)).path(kind.equals("entry") ? "entry" : "data");
        JsonNode attributes = JSON.readTree((String) row.get("RECORD")).get("attributes");
        assertThat(row).containsEntry("ENTITY", entity).containsEntry("DELETED", false);
        assertThat(RunningClockrelay.instant(row.get("LAST_EVENT_AT"))).isEqualTo("2024-03-01T10:00:00Z");
        // Every field Clockodo sent but those the record carries itself is in the attributes, as sent.
        fetched.properties().forEach(field -> {
            if (!List.of("id", "users_id", "time_since", "time_until", "duration").contains(field.getKey())) {
                // (A field Clockodo sent as null says nothing: the record leaves it out.)
                assertThat(attributes.get(field.getKey())).as(field.getKey()).isEqualTo(field.getValue().isNull() ? null : field.getValue());
            }
        });
        if (fetched.has("users_id")) {
            assertThat(row).containsEntry("USER_ID", fetched.get("users_id").asText());
        }
        if (kind.equals("entry")) {
            assertThat(row).containsEntry("TIME_KIND", "work").containsEntry("DURATION_SECONDS", 5400L)
                    .containsEntry("TIMEZONE", "Europe/Berlin").containsEntry("WORK_DATE", Date.valueOf("2024-01-15"));
            assertThat(RunningClockrelay.instant(row.get("STARTS_AT"))).isEqualTo("2024-01-15T08:00:00Z");
            assertThat(RunningClockrelay.instant(row.get("ENDS_AT"))).isEqualTo("2024-01-15T09:30:00Z");
        } else {
            assertThat(row).containsEntry("TIME_KIND", null);
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

    /** Clockodo's absence statuses: only an approved absence is paid (status 1); the others keep their rows. */
    @ParameterizedTest(name = "status {0} is {1}")
    @CsvSource({"0, requested", "1, approved", "2, declined", "3, cancelled", "4, cancelled"})
    void anAbsenceKeepsItsStatusSoThatOnlyAnApprovedOneIsPaid(int status, String expected) {
        String id = String.valueOf(700 + status);
        stubAbsence(id, "{\"id\":" + id + ",\"users_id\":5,\"date_since\":\"2024-02-01\",\"date_until\":\"2024-02-03\",\"status\":" + status
                + ",\"type\":1,\"note\":null,\"public_note\":\"\",\"sick_note\":null,\"count_days\":3.0,\"count_hours\":null,"
                + "\"date_enquired\":\"2024-01-10\",\"date_approved\":null,\"approved_by\":null}");

        post(notification("absence.updated", "absence", id, "2024-03-03T10:00:00Z"));

        Map<String, Object> row = awaitRecord("clockodo:absence:" + id, "absence.updated");
        assertThat(row).containsEntry("STATUS", expected).containsEntry("DELETED", false).containsEntry("TIME_KIND", "absence")
                .containsEntry("ABSENCE_TYPE", "vacation").containsEntry("QUANTITY_UNIT", "days").containsEntry("DURATION_SECONDS", null)
                .containsEntry("WORK_DATE", Date.valueOf("2024-02-01")).containsEntry("TIMEZONE", "Europe/Berlin");
        assertThat((BigDecimal) row.get("QUANTITY_VALUE")).isEqualByComparingTo("3");
        // Mira's local days: from 1 February 00:00 in Berlin to the end of 3 February.
        assertThat(RunningClockrelay.instant(row.get("STARTS_AT"))).isEqualTo("2024-01-31T23:00:00Z");
        assertThat(RunningClockrelay.instant(row.get("ENDS_AT"))).isEqualTo("2024-02-03T23:00:00Z");
        assertThat(app.count("SELECT COUNT(*) FROM payroll_time_records WHERE record_id = ? AND NOT deleted"
                + " AND (status IS NULL OR status = 'approved')", "clockodo:absence:" + id)).isEqualTo(status == 1 ? 1 : 0);
    }

    @ParameterizedTest(name = "type {0} is {1}")
    @CsvSource({"1, vacation", "2, special_leave", "3, overtime_reduction", "4, sick", "5, sick_child", "6, training",
            "7, maternity_protection", "8, home_office", "9, out_of_office", "10, special_leave_unpaid", "11, sick_unpaid",
            "12, sick_child_unpaid", "13, quarantine", "14, military_service", "15, sick_with_benefit", "99, other"})
    void everyAbsenceTypeHasItsNameInTheOneVocabulary(int type, String expected) throws IOException {
        String id = String.valueOf(800 + type);
        stubAbsence(id, "{\"id\":" + id + ",\"users_id\":5,\"date_since\":\"2024-04-02\",\"date_until\":\"2024-04-02\",\"status\":1,\"type\":" + type
                + ",\"note\":null,\"public_note\":\"\",\"count_days\":" + (type == 3 ? "null" : "1.0") + ",\"count_hours\":" + (type == 3 ? "4.0" : "null") + "}");

        post(notification("absence.created", "absence", id, "2024-04-01T10:00:00Z"));

        Map<String, Object> row = awaitRecord("clockodo:absence:" + id, "absence.created");
        assertThat(row).containsEntry("ABSENCE_TYPE", expected);
        assertThat(JSON.readTree((String) row.get("RECORD")).path("attributes").path("type").asInt()).as("Clockodo's own code stays").isEqualTo(type);
    }

    @Test
    void aHalfDayCountsHalfADayAndHoursOfOvertimeReductionCountTheirSecondsInTheUsersOwnDay() {
        stubAbsence("901", "{\"id\":901,\"users_id\":5,\"date_since\":\"2024-05-06\",\"date_until\":\"2024-05-06\",\"status\":1,\"type\":1,"
                + "\"note\":null,\"public_note\":\"\",\"count_days\":0.5,\"count_hours\":null}");
        stubAbsence("902", "{\"id\":902,\"users_id\":6,\"date_since\":\"2024-05-07\",\"date_until\":\"2024-05-07\",\"status\":1,\"type\":3,"
                + "\"note\":null,\"public_note\":\"\",\"count_days\":null,\"count_hours\":2.5}");

        post(notification("absence.created", "absence", "901", "2024-05-01T10:00:00Z"));
        post(notification("absence.created", "absence", "902", "2024-05-01T10:00:00Z"));

        Map<String, Object> halfDay = awaitRecord("clockodo:absence:901", "absence.created");
        assertThat(halfDay).containsEntry("QUANTITY_UNIT", "days").containsEntry("DURATION_SECONDS", null);
        assertThat((BigDecimal) halfDay.get("QUANTITY_VALUE")).isEqualByComparingTo("0.5");
        Map<String, Object> hours = awaitRecord("clockodo:absence:902", "absence.created");
        assertThat(hours).containsEntry("QUANTITY_UNIT", "hours").containsEntry("DURATION_SECONDS", 9000L)
                .containsEntry("ABSENCE_TYPE", "overtime_reduction").containsEntry("TIMEZONE", "America/New_York");
        assertThat((BigDecimal) hours.get("QUANTITY_VALUE")).isEqualByComparingTo("2.5");
        assertThat(RunningClockrelay.instant(hours.get("STARTS_AT"))).as("Sam's day in New York").isEqualTo("2024-05-07T04:00:00Z");
        assertThat(RunningClockrelay.instant(hours.get("ENDS_AT"))).isEqualTo("2024-05-08T04:00:00Z");
    }

    @Test
    void lumpSumsAreNotWorkedTimeAndTheirDeletionFindsThem() throws IOException {
        clockodo.stubFor(get(urlEqualTo("/api/v2/entries/1101")).willReturn(okJson(apiFixture("entry-lump-sum-value"))));
        clockodo.stubFor(get(urlEqualTo("/api/v2/entries/1102")).willReturn(okJson(apiFixture("entry-lump-sum-service"))));

        post(notification("entry.created", "entry", "1101", "2024-03-10T10:00:00Z"));
        post(notification("entry.created", "entry", "1102", "2024-03-10T10:00:00Z"));

        Map<String, Object> value = awaitRecord("clockodo:lump_sum_entry:1101", "entry.created");
        assertThat(value).containsEntry("TIME_KIND", null).containsEntry("STARTS_AT", null).containsEntry("ENDS_AT", null)
                .containsEntry("DURATION_SECONDS", null).containsEntry("USER_ID", "5").containsEntry("WORK_DATE", Date.valueOf("2024-01-16"));
        assertThat(JSON.readTree((String) value.get("RECORD")).get("attributes").get("lumpsum").decimalValue()).isEqualByComparingTo("180.5");
        Map<String, Object> service = awaitRecord("clockodo:lump_sum_entry:1102", "entry.created");
        assertThat(JSON.readTree((String) service.get("RECORD")).get("attributes").get("lumpsum_services_amount").asInt()).isEqualTo(2);
        assertThat(app.count("SELECT COUNT(*) FROM payroll_time_records WHERE record_id IN ('clockodo:time_entry:1101', 'clockodo:time_entry:1102')")).isZero();

        post(notification("entry.deleted", "entry", "1101", "2024-03-11T10:00:00Z"));
        assertThat(awaitRecord("clockodo:lump_sum_entry:1101", "entry.deleted")).containsEntry("DELETED", true);
    }

    @Test
    void aStoppedEntryTheApiStillShowsRunningIsFetchedAgainAndDeliveredStopped() {
        String path = "/api/v2/entries/1200";
        String running = apiFixture("entry-running").replace("1002", "1200");
        clockodo.stubFor(get(urlEqualTo(path)).inScenario("stopping").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson(running)).willSetStateTo("still running"));
        clockodo.stubFor(get(urlEqualTo(path)).inScenario("stopping").whenScenarioStateIs("still running")
                .willReturn(okJson(running)).willSetStateTo("stopped"));
        clockodo.stubFor(get(urlEqualTo(path)).inScenario("stopping").whenScenarioStateIs("stopped")
                .willReturn(okJson(apiFixture("entry").replace("1001", "1200"))));

        post(notification("entry.stopped", "entry", "1200", "2024-03-12T10:00:00Z"));

        Map<String, Object> row = awaitRecord("clockodo:time_entry:1200", "entry.stopped");
        assertThat(RunningClockrelay.instant(row.get("ENDS_AT"))).as("never delivered as running").isEqualTo("2024-01-15T09:30:00Z");
        assertThat(requestTimes(path)).hasSize(3);
        assertThat(app.count("SELECT COUNT(*) FROM deliveries WHERE record_id = 'clockodo:time_entry:1200'")).isEqualTo(1);
    }

    @Test
    void aStoppedEntryStillRunningAfterThreeTriesIsDeliveredAsClockodoShowsIt() {
        clockodo.stubFor(get(urlEqualTo("/api/v2/entries/1201")).willReturn(okJson(apiFixture("entry-running").replace("1002", "1201"))));

        post(notification("entry.stopped", "entry", "1201", "2024-03-12T11:00:00Z"));

        Map<String, Object> row = awaitRecord("clockodo:time_entry:1201", "entry.stopped");
        assertThat(row.get("ENDS_AT")).isNull();
        assertThat(requestTimes("/api/v2/entries/1201")).hasSize(4);
    }

    @Test
    void aChangeRequestIsFoundOnAnyPageOfTheListNarrowedToItsDaysAndStatus() throws IOException {
        String pageOne = "{\"paging\":{\"items_per_page\":1,\"current_page\":1,\"count_pages\":2,\"count_items\":2},\"change_requests\":["
                + JSON.readTree(apiFixture("work_time_change_request")).get("change_requests").get(0) + "]}";
        String pageTwo = "{\"paging\":{\"items_per_page\":1,\"current_page\":2,\"count_pages\":2,\"count_items\":2},\"change_requests\":["
                + JSON.readTree(apiFixture("work_time_change_request")).get("change_requests").get(1) + "]}";
        clockodo.stubFor(get(urlPathEqualTo("/api/v2/workTimes/changeRequests")).withQueryParam("page", equalTo("1")).willReturn(okJson(pageOne)));
        clockodo.stubFor(get(urlPathEqualTo("/api/v2/workTimes/changeRequests")).withQueryParam("page", equalTo("2")).willReturn(okJson(pageTwo)));

        post(notification("work_time_change_request.created", "work_time_change_request", "90", "2024-01-16T18:00:05Z"));
        post(notification("work_time_change_request.updated", "work_time_change_request", "89", "2024-01-16T09:00:00Z"));

        Map<String, Object> requested = awaitRecord("clockodo:work_time_change_request:90", "work_time_change_request.created");
        assertThat(requested).containsEntry("STATUS", "requested").containsEntry("USER_ID", "5").containsEntry("TIME_KIND", null)
                .containsEntry("WORK_DATE", Date.valueOf("2024-01-16"));
        assertThat(awaitRecord("clockodo:work_time_change_request:89", "work_time_change_request.updated"))
                .containsEntry("STATUS", "declined").containsEntry("USER_ID", "6");
        List<com.github.tomakehurst.wiremock.verification.LoggedRequest> lists = clockodo.findAll(getRequestedFor(urlPathEqualTo("/api/v2/workTimes/changeRequests")));
        assertThat(lists).allSatisfy(list -> {
            assertThat(list.queryParameter("date_since").firstValue()).isEqualTo("2023-10-16");
            assertThat(list.queryParameter("date_until").firstValue()).isEqualTo("2024-02-16");
        });
    }

    @Test
    void anApprovedChangeRequestLeavesTheListAndItsDaysWorkTimesAreDelivered() throws IOException {
        clockodo.stubFor(get(urlPathEqualTo("/api/v2/workTimes/changeRequests")).inScenario("approval").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson(apiFixture("work_time_change_request").replace("\"id\": 90", "\"id\": 91"))).willSetStateTo("approved"));
        clockodo.stubFor(get(urlPathEqualTo("/api/v2/workTimes/changeRequests")).inScenario("approval").whenScenarioStateIs("approved")
                .willReturn(okJson("{\"paging\":{\"items_per_page\":1000,\"current_page\":1,\"count_pages\":1,\"count_items\":0},\"change_requests\":[]}")));
        clockodo.stubFor(get(urlPathEqualTo("/api/v2/workTimes")).withQueryParam("users_id", equalTo("5"))
                .withQueryParam("date_since", equalTo("2024-01-16")).withQueryParam("date_until", equalTo("2024-01-16"))
                .willReturn(okJson(apiFixture("work_times"))));

        post(notification("work_time_change_request.created", "work_time_change_request", "91", "2024-01-16T18:00:05Z"));
        awaitRecord("clockodo:work_time_change_request:91", "work_time_change_request.created");
        post(notification("work_time_change_request.updated", "work_time_change_request", "91", "2024-01-17T08:00:00Z"));

        assertThat(awaitRecord("clockodo:work_time_change_request:91", "work_time_change_request.updated")).containsEntry("STATUS", "approved");
        Map<String, Object> day = awaitRecord("clockodo:work_time_day:5:2024-01-16", "work_time_change_request.updated");
        assertThat(day).containsEntry("USER_ID", "5").containsEntry("DURATION_SECONDS", 8L * 3600).containsEntry("WORK_DATE", Date.valueOf("2024-01-16"));
        assertThat(RunningClockrelay.instant(day.get("STARTS_AT"))).isEqualTo("2024-01-16T07:00:00Z");
        assertThat(RunningClockrelay.instant(day.get("ENDS_AT"))).isEqualTo("2024-01-16T15:30:00Z");
        List<com.github.tomakehurst.wiremock.verification.LoggedRequest> lists = clockodo.findAll(getRequestedFor(urlPathEqualTo("/api/v2/workTimes/changeRequests")));
        assertThat(lists.get(lists.size() - 1).queryParameter("users_id").firstValue()).as("the user is known by then").isEqualTo("5");
        assertThat(lists.get(lists.size() - 1).queryParameter("date_since").firstValue()).isEqualTo("2024-01-16");
    }

    @Test
    void aBudgetNotificationIsAcceptedAndDeliveredAsItsOwnEntity() throws IOException {
        Instant sent = Instant.now();
        HttpResponse<String> answer = post("{\"subscription_id\":12,\"company_id\":34,\"occurred_at\":\"2024-03-20T10:00:00Z\","
                + "\"event_name\":\"project.budget_notification\",\"payload\":{\"id\":20,\"type\":\"projectBudget\",\"threshold\":80},\"token\":\"" + TOKEN + "\"}");

        assertThat(answer.body()).isEqualTo("{\"status\":\"accepted\"}");
        Map<String, Object> row = awaitRecord("clockodo:project_budget:20", "project.budget_notification");
        JsonNode attributes = JSON.readTree((String) row.get("RECORD")).get("attributes");
        assertThat(attributes.get("threshold").asInt()).isEqualTo(80);
        assertThat(attributes.get("type").asText()).isEqualTo("projectBudget");
        assertThat(row).containsEntry("SOURCE", "clockodo").containsEntry("ENTITY", "project_budget").containsEntry("ENTITY_ID", "20")
                .containsEntry("TIME_KIND", null).containsEntry("DURATION_SECONDS", null).containsEntry("DELETED", false);
        assertThat(clockodo.findAll(getRequestedFor(urlMatching(".*/(projects|budget).*"))))
                .filteredOn(request -> !request.getLoggedDate().toInstant().isBefore(sent)).as("the payload is the whole notification").isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"\"9001?x=1\"", "\"../../v3/users/5\"", "\"9001/../../v3/users/5\"", "1.5", "-3", "\"\"", "\"12 \"", "true"})
    void anIdThatIsNoIntegerIsRefusedAndNeverReachesTheApi(String id) {
        int before = clockodo.getAllServeEvents().size();

        HttpResponse<String> answer = post("{\"subscription_id\":12,\"company_id\":34,\"occurred_at\":\"2024-03-21T10:00:00Z\","
                + "\"event_name\":\"entry.updated\",\"payload\":{\"entry\":{\"id\":" + id + "}},\"token\":\"" + TOKEN + "\"}");

        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(answer.body()).contains("'payload.entry.id' must be a Clockodo id");
        assertThat(app.count("SELECT COUNT(*) FROM inbox WHERE event_type = 'entry.updated' AND event_id LIKE '%2024-03-21T10:00:00Z'")).isZero();
        assertThat(clockodo.getAllServeEvents()).hasSize(before);
    }

    @Test
    void aDeletedEventBecomesADeletionWithoutAskingClockodo() {
        post(notification("customer.deleted", "customer", "1020", "2024-03-03T10:00:00Z"));

        assertThat(awaitRecord("clockodo:customer:1020", "customer.deleted")).containsEntry("DELETED", true);
        assertThat(clockodo.findAll(getRequestedFor(urlEqualTo("/api/v3/customers/1020")))).isEmpty();
    }

    @Test
    void anEntityClockodoNoLongerHasBecomesADeletion() {
        String path = "/api/v2/entries/2001";
        clockodo.stubFor(get(urlEqualTo(path)).inScenario("gone").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson(apiFixture("entry"))).willSetStateTo("gone"));
        clockodo.stubFor(get(urlEqualTo(path)).inScenario("gone").whenScenarioStateIs("gone")
                .willReturn(aResponse().withStatus(404).withBody("{\"error\":{\"message\":\"Not found\"}}")));
        assertThat(post(notification("entry.created", "entry", "2001", "2024-03-04T10:00:00Z")).body()).isEqualTo("{\"status\":\"accepted\"}");
        assertThat(awaitRecord("clockodo:time_entry:2001", "entry.created")).containsEntry("DELETED", false).containsEntry("DURATION_SECONDS", 5400L);

        assertThat(post(notification("entry.updated", "entry", "2001", "2024-03-04T10:05:00Z")).body()).isEqualTo("{\"status\":\"accepted\"}");

        Map<String, Object> row = awaitRecord("clockodo:time_entry:2001", "entry.updated");
        assertThat(row).as("the paid row is flagged, not left live").containsEntry("DELETED", true).containsEntry("USER_ID", "5");
        assertThat(RunningClockrelay.instant(row.get("LAST_EVENT_AT"))).isEqualTo("2024-03-04T10:05:00Z");
        assertThat(app.count("SELECT COUNT(*) FROM payroll_time_records WHERE entity_id = '2001'")).as("the same row").isEqualTo(1);
        assertThat(requestTimes(path)).hasSize(2);
    }

    @Test
    void aRateLimitedFetchWaitsAtLeastRetryAfterThenSucceeds() {
        String path = "/api/v2/entries/2002";
        clockodo.stubFor(get(urlEqualTo(path)).inScenario("rate-limited").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "3")).willSetStateTo("allowed"));
        clockodo.stubFor(get(urlEqualTo(path)).inScenario("rate-limited").whenScenarioStateIs("allowed")
                .willReturn(okJson(apiFixture("entry"))));

        post(notification("entry.updated", "entry", "2002", "2024-03-05T10:00:00Z"));
        assertThat(awaitRecord("clockodo:time_entry:2002", "entry.updated")).containsEntry("DURATION_SECONDS", 5400L);

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

    @ParameterizedTest(name = "HTTP {0}")
    @CsvSource({
            "400, 2101, Clockodo's API answered HTTP 400 for /v2/entries/2101 (id is not valid); retrying later",
            "401, 2102, Clockodo refused the API credentials (HTTP 401): check CLOCKODO_API_USER and CLOCKODO_API_KEY and the user's rights",
            "403, 2103, Clockodo refused the API credentials (HTTP 403): check CLOCKODO_API_USER and CLOCKODO_API_KEY and the user's rights"})
    void aRefusalIsReportedWithItsStatusAndTheNotificationWaitsForTheFix(int status, String id, String message) throws IOException {
        String path = "/api/v2/entries/" + id;
        clockodo.stubFor(get(urlEqualTo(path)).willReturn(aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                .withBody(status == 400 ? "{\"error\":{\"message\":\"id is not valid\"}}" : "{\"errors\":[{\"message\":\"forbidden\"}]}")));

        post(notification("entry.updated", "entry", id, "2024-03-08T10:00:00Z"));
        Map<String, Object> waiting = app.awaitRow("SELECT * FROM inbox WHERE event_id = ? AND attempts >= 1",
                "entry.updated:entry:" + id + ":2024-03-08T10:00:00Z");
        assertThat(waiting).containsEntry("STATUS", "pending").containsEntry("LAST_ERROR", message);
        assertThat(healthMessage("clockodo-api")).isEqualTo(message);
        assertThat(app.get(app.managementPort, "/observe/health?exposureLevel=full").body()).doesNotContain(API_KEY);
        assertThat(app.get(app.managementPort, "/observe/health").statusCode()).as("still ready: webhooks are accepted").isEqualTo(200);
        assertThat(app.get(app.managementPort, "/observe/metrics").body())
                .containsPattern("(?m)^clockrelay_clockodo_api_calls_total\\{status=\"" + status + "\"} [1-9]");

        clockodo.stubFor(get(urlEqualTo(path)).willReturn(okJson(apiFixture("entry").replace("1001", id))));

        assertThat(awaitRecord("clockodo:time_entry:" + id, "entry.updated")).containsEntry("DELETED", false).containsEntry("USER_ID", "5");
    }

    @Test
    void notificationsForOneEntryWaitingTogetherAreServedByOneFetchMadeAfterTheNewest() throws IOException {
        String path = "/api/v2/entries/2030";
        // The first fetch fails, so that the other notifications arrive while the first waits for its retry.
        clockodo.stubFor(get(urlEqualTo(path)).inScenario("together").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("up"));
        clockodo.stubFor(get(urlEqualTo(path)).inScenario("together").whenScenarioStateIs("up")
                .willReturn(okJson(apiFixture("entry").replace("1001", "2030"))));
        post(notification("entry.created", "entry", "2030", "2024-03-09T10:00:00Z"));
        app.awaitRow("SELECT * FROM inbox WHERE event_id = 'entry.created:entry:2030:2024-03-09T10:00:00Z' AND attempts = 1");

        post(notification("entry.updated", "entry", "2030", "2024-03-09T10:00:01Z"));
        post(notification("entry.updated", "entry", "2030", "2024-03-09T10:00:02Z"));
        app.awaitRow(row -> ((Number) row.get("N")).intValue() == 3,
                "SELECT COUNT(*) AS n FROM inbox WHERE event_id LIKE '%:entry:2030:%' AND status = 'done'");

        assertThat(requestTimes(path)).as("one failed fetch, then one for all three").hasSize(2);
        List<Map<String, Object>> deliveries = app.rows("SELECT event_id FROM deliveries WHERE record_id = 'clockodo:time_entry:2030'");
        assertThat(deliveries).as("one record, the newest notification's").containsExactly(Map.of("EVENT_ID", "entry.updated:entry:2030:2024-03-09T10:00:02Z"));
    }

    /** The message of one of /observe/health's checks (Camel's health JSON escapes a slash as \\/). */
    static String healthMessage(String check) throws IOException {
        return healthMessageOf(app, check);
    }

    static String healthMessageOf(RunningClockrelay app, String check) {
        try {
            for (JsonNode result : JSON.readTree(app.get(app.managementPort, "/observe/health?exposureLevel=full").body()).get("checks")) {
                if (result.get("name").asText().equals(check)) {
                    return result.path("message").asText().replace("\\/", "/");
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return null;
    }

    static String notification(String eventName, String kind, String id, String occurredAt) {
        return "{\"subscription_id\":12,\"company_id\":34,\"occurred_at\":\"" + occurredAt + "\",\"event_name\":\"" + eventName
                + "\",\"payload\":{\"" + kind + "\":{\"id\":" + id + "}},\"token\":\"" + TOKEN + "\"}";
    }

    private static void stubAbsence(String id, String absence) {
        clockodo.stubFor(get(urlEqualTo("/api/v4/absences/" + id)).willReturn(okJson("{\"data\":" + absence + "}")));
    }

    private static HttpResponse<String> post(String body) {
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
