package io.clockrelay.delivery;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clockrelay.store.OperatorQuery;
import io.clockrelay.store.Transactions;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;

/**
 * The operator's view of the dead letters: list them (by target, source, time of failure) and replay them. A
 * replayed dead letter is a pending delivery again, with its eventId (the receiver's idempotency key) unchanged
 * and a fresh retry schedule.
 */
public class DeadLetters {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);
    private final DataSource store;
    private final ObjectMapper json;
    private final Clock clock;

    public DeadLetters(DataSource store, ObjectMapper json, Clock clock) {
        this.store = store;
        this.json = json;
        this.clock = clock;
    }

    /** {@code GET /admin/dead-letters?target=&source=&since=&until=&limit=} (ISO instants; at most 1,000, oldest first). */
    public String list(Exchange exchange, @Header("target") String target, @Header("source") String source,
                       @Header("since") String since, @Header("until") String until, @Header("limit") String limit) throws Exception {
        OperatorQuery query = OperatorQuery.of(exchange, "GET", "SELECT id, target, event_id, record_id, source, entity, event_type, attempts,"
                + " last_error, created_at, failed_at, record FROM dead_letters WHERE 1 = 1");
        if (query == null || !query.equal("target", target) || !query.equal("source", source) || !query.between("failed_at", since, until)) {
            return query == null ? OperatorQuery.error("list the dead letters with GET") : query.refusal();
        }
        ArrayNode letters = json.createArrayNode();
        query.rows(store, limit, result -> {
            ObjectNode letter = letters.addObject();
            letter.put("id", result.getLong(1));
            letter.put("target", result.getString(2));
            letter.put("eventId", result.getString(3));
            letter.put("recordId", result.getString(4));
            letter.put("source", result.getString(5));
            letter.put("entity", result.getString(6));
            letter.put("eventType", result.getString(7));
            letter.put("attempts", result.getInt(8));
            letter.put("lastError", result.getString(9));
            letter.put("createdAt", result.getTimestamp(10).toInstant().toString());
            letter.put("failedAt", result.getTimestamp(11).toInstant().toString());
            letter.set("record", json.readTree(result.getString(12)));
        });
        return json.writeValueAsString(json.createObjectNode().set("deadLetters", letters));
    }

    /** {@code POST /admin/replay?id=<dead letter id>} or {@code POST /admin/replay?target=<name>} (all of that target). */
    public String replay(Exchange exchange, @Header("id") String id, @Header("target") String target) throws SQLException {
        if (!OperatorQuery.requireMethod(exchange, "POST")) {
            return OperatorQuery.error("replay with POST");
        }
        if ((id == null) == (target == null)) {
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 400);
            return OperatorQuery.error("give either id (one dead letter) or target (all of its dead letters)");
        }
        String where = id != null ? "id = ?" : "target = ?";
        Object key = id != null ? (Object) Long.parseLong(id.trim()) : target;
        int[] replayed = new int[1];
        Timestamp now = Timestamp.from(Instant.now(clock));
        Transactions.run(store, connection -> {
            try (PreparedStatement copy = connection.prepareStatement(
                    "INSERT INTO deliveries (target, event_id, record_id, ordering_key, source, entity, event_type, record, inbox_id,"
                            + " status, attempts, created_at, next_attempt_at)"
                            + " SELECT target, event_id, record_id, ordering_key, source, entity, event_type, record, COALESCE(inbox_id, 0),"
                            + " 'pending', 0, ?, ? FROM dead_letters WHERE " + where);
                 PreparedStatement delete = connection.prepareStatement("DELETE FROM dead_letters WHERE " + where)) {
                copy.setTimestamp(1, now);
                copy.setTimestamp(2, now);
                copy.setObject(3, key);
                replayed[0] = copy.executeUpdate();
                delete.setObject(1, key);
                delete.executeUpdate();
            }
        });
        LOG.info("replayed {} dead letter(s) {}={}", replayed[0], id != null ? "id" : "target", key);
        if (replayed[0] == 0) {
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 404);
        }
        return "{\"replayed\":" + replayed[0] + "}";
    }
}
