package io.clockrelay.inbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clockrelay.store.OperatorQuery;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;

/**
 * The operator's view of the webhooks set aside as failed (they can never be mapped as they are): list them with
 * their reasons and payloads, and replay them once the cause is fixed (a new clockrelay version, a changed
 * setting). A replayed webhook is pending again, with its event id, and goes through the process stage as if it had
 * just arrived.
 */
public class FailedWebhooks {

    private static final Logger LOG = LoggerFactory.getLogger(FailedWebhooks.class);
    private final DataSource store;
    private final ObjectMapper json;
    private final Clock clock;

    public FailedWebhooks(DataSource store, ObjectMapper json, Clock clock) {
        this.store = store;
        this.json = json;
        this.clock = clock;
    }

    /** {@code GET /admin/failed-webhooks?source=&since=&until=&limit=} (failed at or after since, before until; oldest first). */
    public String list(Exchange exchange, @Header("source") String source, @Header("since") String since,
                       @Header("until") String until, @Header("limit") String limit) throws Exception {
        OperatorQuery query = OperatorQuery.of(exchange, "GET", "SELECT id, source, event_id, event_type, received_at, failed_at, attempts,"
                + " last_error, payload FROM inbox WHERE status = 'failed'");
        if (query == null || !query.equal("source", source) || !query.between("failed_at", since, until)) {
            return query == null ? OperatorQuery.error("list the failed webhooks with GET") : query.refusal();
        }
        ArrayNode webhooks = json.createArrayNode();
        query.rows(store, limit, row -> {
            ObjectNode webhook = webhooks.addObject();
            webhook.put("id", row.getLong(1));
            webhook.put("source", row.getString(2));
            webhook.put("eventId", row.getString(3));
            webhook.put("eventType", row.getString(4));
            webhook.put("receivedAt", row.getTimestamp(5).toInstant().toString());
            webhook.put("failedAt", row.getTimestamp(6) == null ? null : row.getTimestamp(6).toInstant().toString());
            webhook.put("attempts", row.getInt(7));
            webhook.put("reason", row.getString(8));
            webhook.put("payload", row.getString(9));
        });
        return json.writeValueAsString(json.createObjectNode().set("failedWebhooks", webhooks));
    }

    /** {@code POST /admin/replay-webhooks?id=<inbox id>} or {@code ?source=<vendor>} (all failed webhooks of that vendor). */
    public String replay(Exchange exchange, @Header("id") String id, @Header("source") String source) throws SQLException {
        if (!OperatorQuery.requireMethod(exchange, "POST")) {
            return OperatorQuery.error("replay with POST");
        }
        if ((id == null) == (source == null)) {
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 400);
            return OperatorQuery.error("give either id (one failed webhook) or source (all failed webhooks of that vendor)");
        }
        Object key;
        try {
            key = id != null ? (Object) Long.parseLong(id.trim()) : source;
        } catch (NumberFormatException e) {
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 400);
            return OperatorQuery.error("id is the number the list shows");
        }
        int replayed;
        try (Connection connection = store.getConnection();
             PreparedStatement update = connection.prepareStatement("UPDATE inbox SET status = 'pending', attempts = 0, next_attempt_at = ?,"
                     + " failed_at = NULL, claim_token = NULL, lease_until = NULL WHERE status = 'failed' AND "
                     + (id != null ? "id = ?" : "source = ?"))) {
            update.setTimestamp(1, Timestamp.from(Instant.now(clock)));
            update.setObject(2, key);
            replayed = update.executeUpdate();
        }
        LOG.info("replayed {} failed webhook(s) {}={}", replayed, id != null ? "id" : "source", key);
        if (replayed == 0) {
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 404);
        }
        return "{\"replayed\":" + replayed + "}";
    }
}
