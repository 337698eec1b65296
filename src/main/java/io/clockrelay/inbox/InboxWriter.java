package io.clockrelay.inbox;

import io.clockrelay.webhook.EventReader;
import io.clockrelay.webhook.WebhookRejected;
import io.clockrelay.webhook.WebhookRequest;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;

/**
 * The one durable write of the request path: inserts a verified webhook into the inbox and answers only after
 * the row is committed. The (source, event_id) unique key is the de-duplication: a repeat answers "duplicate".
 */
public class InboxWriter {

    public static final String ACCEPTED = "{\"status\":\"accepted\"}";
    public static final String DUPLICATE = "{\"status\":\"duplicate\"}";
    private static final Logger LOG = LoggerFactory.getLogger(InboxWriter.class);
    private static final String INSERT = "INSERT INTO inbox (source, event_id, event_type, received_at, payload, status, attempts, next_attempt_at)"
            + " VALUES (?, ?, ?, ?, ?, 'pending', 0, ?)";

    private final DataSource store;
    private final Clock clock;

    public InboxWriter(DataSource store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    public void store(Exchange exchange) {
        String source = exchange.getVariable("source", String.class);
        String eventId = exchange.getVariable(EventReader.EVENT_ID, String.class);
        String eventType = exchange.getVariable(EventReader.EVENT_TYPE, String.class);
        String payload = new String(exchange.getVariable(WebhookRequest.RAW_BODY, byte[].class), StandardCharsets.UTF_8);
        boolean inserted = insert(source, eventId, eventType, payload);
        LOG.info("webhook {} source={} eventId={} eventType={}", inserted ? "accepted" : "duplicate", source, eventId, eventType);
        // The request's headers (signatures, tokens) must not be echoed in the answer.
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setBody(inserted ? ACCEPTED : DUPLICATE);
    }

    /** True when the row was inserted and committed, false when the event was already in the inbox. */
    boolean insert(String source, String eventId, String eventType, String payload) {
        Timestamp now = Timestamp.from(Instant.now(clock));
        try (Connection connection = store.getConnection();
             PreparedStatement insert = connection.prepareStatement(INSERT)) {
            insert.setString(1, source);
            insert.setString(2, eventId);
            insert.setString(3, eventType);
            insert.setTimestamp(4, now);
            insert.setString(5, payload);
            insert.setTimestamp(6, now);
            insert.executeUpdate();
            if (!connection.getAutoCommit()) {
                connection.commit();
            }
            return true;
        } catch (SQLException e) {
            if (isUniqueViolation(e)) {
                return false;
            }
            LOG.error("webhook not stored source={} eventId={}: the inbox cannot be written: {}", source, eventId, e.getMessage());
            throw WebhookRejected.unavailable("store", "the webhook could not be stored: retry later");
        }
    }

    static boolean isUniqueViolation(SQLException e) {
        for (SQLException current = e; current != null; current = current.getNextException()) {
            if ("23505".equals(current.getSQLState()) || "23000".equals(current.getSQLState()) && current.getErrorCode() == 1062) {
                return true;
            }
        }
        return false;
    }
}
