package io.clockrelay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Connecteam webhooks that carry several records (users, scheduler shifts, tasks; fixtures/connecteam/{@code
 * *.several.json}, shaped as Connecteam's documents describe them): each record is its own change downstream, with
 * the event id {@code <requestId>/<entityId>}: one row in payroll_time_records and one call to an HTTP target
 * (WireMock) whose {@code webhook-id} is that id.
 */
class ConnecteamSeveralRecordsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path folder;
    static WireMockServer payroll;
    static RunningClockrelay app;

    @BeforeAll
    static void start() {
        payroll = new WireMockServer(options().dynamicPort());
        payroll.start();
        payroll.stubFor(post(urlEqualTo("/payroll/records")).willReturn(aResponse().withStatus(204)));
        app = RunningClockrelay.start(folder, Map.of(
                "clockrelay.connecteam.secrets", ConnecteamEventsToPayrollTest.SECRET,
                "clockrelay.target.payroll-api.enabled", "true",
                "clockrelay.target.payroll-api.url", "http://localhost:" + payroll.port() + "/payroll/records",
                "clockrelay.target.payroll-api.secret", HttpTargetTest.OLD_SECRET));
    }

    @AfterAll
    static void stop() {
        app.close();
        payroll.stop();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "users/user_created.several, user, $.data[*].userId",
            "users/user_archived.several, user, $.data[*].userId",
            "scheduler/shift_created.several, scheduled_shift, $.data.shifts[*].id",
            "scheduler/shift_deleted.several, scheduled_shift, $.data.ids[*]",
            "tasks/task_published.several, task, $.data[*].id"})
    void eachRecordOfAWebhookIsItsOwnChangeWithTheEventIdRequestIdSlashEntityId(String fixture, String entity, String idsAt) throws IOException {
        String body = RunningClockrelay.fixture("connecteam", fixture);
        JsonNode webhook = JSON.readTree(body);
        String requestId = webhook.get("requestId").asText();
        String eventType = webhook.get("eventType").asText();
        List<String> ids = ids(webhook, idsAt);
        assertThat(ids).as("the fixture carries several records").hasSizeGreaterThan(1);

        assertThat(ConnecteamEventsToPayrollTest.postTo(app, body).body()).isEqualTo("{\"status\":\"accepted\"}");

        for (String id : ids) {
            Map<String, Object> row = app.awaitRow(r -> eventType.equals(r.get("LAST_EVENT_TYPE")),
                    "SELECT * FROM payroll_time_records WHERE record_id = ?", "connecteam:" + entity + ":" + id);
            assertThat(row).as(id).containsEntry("LAST_EVENT_ID", requestId + "/" + id).containsEntry("ENTITY", entity);
        }
        app.awaitRow(r -> ((Number) r.get("N")).intValue() == ids.size(),
                "SELECT COUNT(*) AS n FROM deliveries WHERE target = 'payroll-api' AND event_id LIKE ? AND status = 'delivered'", requestId + "/%");
        List<ServeEvent> calls = payroll.getAllServeEvents().stream()
                .filter(call -> String.valueOf(call.getRequest().getHeader("webhook-id")).startsWith(requestId)).toList();
        assertThat(calls).extracting(call -> call.getRequest().getHeader("webhook-id")).as("one call per record, each with its own webhook-id")
                .containsExactlyInAnyOrderElementsOf(ids.stream().map(id -> requestId + "/" + id).toList());
        for (ServeEvent call : calls) {
            JsonNode record = JSON.readTree(call.getRequest().getBodyAsString());
            assertThat(record.get("eventId").asText()).isEqualTo(call.getRequest().getHeader("webhook-id"))
                    .isEqualTo(requestId + "/" + record.get("entityId").asText());
            assertThat(record.get("recordId").asText()).isEqualTo("connecteam:" + entity + ":" + record.get("entityId").asText());
        }
    }

    /** The ids at a path such as {@code $.data.shifts[*].id} or {@code $.data.ids[*]}. */
    private static List<String> ids(JsonNode webhook, String path) {
        List<JsonNode> nodes = List.of(webhook);
        for (String step : path.substring(2).split("\\.")) {
            List<JsonNode> next = new ArrayList<>();
            boolean each = step.endsWith("[*]");
            String name = each ? step.substring(0, step.length() - 3) : step;
            for (JsonNode node : nodes) {
                JsonNode child = name.isEmpty() ? node : node.get(name);
                if (each) {
                    child.forEach(next::add);
                } else {
                    next.add(child);
                }
            }
            nodes = next;
        }
        return nodes.stream().map(JsonNode::asText).toList();
    }
}
