package io.clockrelay.source.connecteam;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * Connecteam's REST API as reconciliation reads it (vendor-docs/connecteam-api-facts.md), through the route
 * {@code direct:connecteam-api} (receive-connecteam.camel.yaml: X-API-KEY, timeouts): the time clocks, and the time
 * activities of one clock over a range of days, split into ranges the API takes. Any answer but 200 fails the read.
 */
public class ConnecteamApi implements CamelContextAware {

    /** The longest range one request asks for: Connecteam documents 90 days at most, one tool 31; 31 is safe. */
    static final int DAYS_PER_REQUEST = 31;
    private static final ObjectMapper JSON = new ObjectMapper();

    private CamelContext camelContext;
    private ProducerTemplate template;
    private String apiKey = "";

    public void setApiKey(String apiKey) {
        this.apiKey = apiKey == null ? "" : apiKey.trim();
    }

    public boolean isConfigured() {
        return !apiKey.isEmpty();
    }

    /** Every time clock of the account, archived ones too (their activities still count): {@code [{id, name, isArchived}]}. */
    public List<JsonNode> timeClocks() throws IOException {
        List<JsonNode> clocks = new ArrayList<>();
        get("/time-clock/v1/time-clocks", "").path("data").path("timeClocks").forEach(clocks::add);
        return clocks;
    }

    /** The activities of one clock from one day to another, each by user: {@code [{userId, shifts, manualBreaks, timeOffs}]}. */
    public List<JsonNode> timeActivities(String timeClockId, LocalDate first, LocalDate last) throws IOException {
        List<JsonNode> byUsers = new ArrayList<>();
        for (LocalDate from = first; !from.isAfter(last); from = from.plusDays(DAYS_PER_REQUEST)) {
            LocalDate to = from.plusDays(DAYS_PER_REQUEST - 1).isAfter(last) ? last : from.plusDays(DAYS_PER_REQUEST - 1);
            get("/time-clock/v1/time-clocks/" + timeClockId + "/time-activities", "startDate=" + from + "&endDate=" + to)
                    .path("data").path("timeActivitiesByUsers").forEach(byUsers::add);
        }
        return byUsers;
    }

    private JsonNode get(String path, String query) throws IOException {
        if (!isConfigured()) {
            throw new IllegalStateException("CONNECTEAM_API_KEY is not set: set it to reconcile Connecteam");
        }
        Exchange answer = template().request("direct:connecteam-api", exchange -> {
            exchange.setVariable("connecteamPath", path);
            exchange.setVariable("connecteamQuery", query);
        });
        if (answer.getException() != null) {
            throw new IOException("Connecteam's API cannot be reached: " + answer.getException().getMessage(), answer.getException());
        }
        int status = answer.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        if (status != 200) {
            throw new IOException("Connecteam's API answered HTTP " + status + " for " + path
                    + (status == 401 || status == 403 ? ": check CONNECTEAM_API_KEY" : ""));
        }
        return JSON.readTree(answer.getMessage().getBody(String.class));
    }

    private ProducerTemplate template() {
        if (template == null) {
            template = camelContext.createProducerTemplate();
        }
        return template;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }
}
