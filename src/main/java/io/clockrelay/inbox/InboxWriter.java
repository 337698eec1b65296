package io.clockrelay.inbox;

import io.clockrelay.observe.ClockrelayMetrics;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The one durable write of the request path: inserts a verified webhook into the inbox and answers only after
 * the row is committed. The (source, event_id) unique key is the de-duplication: a repeat answers "duplicate".
 *
 * <p>Group commit: concurrent requests hand their rows to one writer thread, which inserts all that are waiting
 * (up to {@value #MAX_GROUP}) in one transaction and answers each request once that transaction has committed.
 * One commit (one disk write) then serves many webhooks; no request is answered before its row is durable.
 */
public class InboxWriter {

    public static final String ACCEPTED = "{\"status\":\"accepted\"}";
    public static final String DUPLICATE = "{\"status\":\"duplicate\"}";
    static final int MAX_GROUP = 256;
    private static final Logger LOG = LoggerFactory.getLogger(InboxWriter.class);
    private static final String COLUMNS = "INSERT INTO inbox (source, event_id, event_type, received_at, payload, status, attempts, next_attempt_at) ";
    /** PostgreSQL settles a duplicate itself, also between instances; H2 (one instance, one writer) by a look first. */
    private static final String INSERT_POSTGRESQL = COLUMNS + "VALUES (?, ?, ?, ?, ?, 'pending', 0, ?) ON CONFLICT (source, event_id) DO NOTHING";
    private static final String INSERT_H2 = COLUMNS + "SELECT ?, ?, ?, ?, ?, 'pending', 0, ? FROM (VALUES (1)) one"
            + " WHERE NOT EXISTS (SELECT 1 FROM inbox WHERE source = ? AND event_id = ?)";

    private record Pending(String source, String eventId, String eventType, String payload, CompletableFuture<Boolean> inserted) {
    }

    private final DataSource store;
    private final Clock clock;
    private final ClockrelayMetrics metrics;
    private final boolean postgresql;
    private final BlockingQueue<Pending> waiting = new ArrayBlockingQueue<>(10 * MAX_GROUP);

    public InboxWriter(DataSource store, Clock clock, String dialect, ClockrelayMetrics metrics) {
        this.store = store;
        this.metrics = metrics;
        this.clock = clock;
        this.postgresql = dialect.equals("postgresql");
        Thread writer = new Thread(this::writeGroups, "inbox-writer");
        writer.setDaemon(true);
        writer.start();
    }

    public void store(Exchange exchange) {
        String source = exchange.getVariable("source", String.class);
        String eventId = exchange.getVariable(EventReader.EVENT_ID, String.class);
        String eventType = exchange.getVariable(EventReader.EVENT_TYPE, String.class);
        String payload = new String(exchange.getVariable(WebhookRequest.RAW_BODY, byte[].class), StandardCharsets.UTF_8);
        boolean inserted = insert(source, eventId, eventType, payload);
        LOG.info("webhook {} source={} eventId={} eventType={}", inserted ? "accepted" : "duplicate", source, eventId, eventType);
        metrics.webhook(exchange, source, inserted ? "accepted" : "duplicate", "none");
        // The request's headers (signatures, tokens) must not be echoed in the answer.
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setBody(inserted ? ACCEPTED : DUPLICATE);
    }

    /** True when the row was inserted and committed, false when the event was already in the inbox. */
    boolean insert(String source, String eventId, String eventType, String payload) {
        Pending pending = new Pending(source, eventId, eventType, payload, new CompletableFuture<>());
        try {
            if (!waiting.offer(pending, 5, TimeUnit.SECONDS)) {
                throw unavailable(source, eventId, "the inbox writer is overloaded");
            }
            return pending.inserted().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw unavailable(source, eventId, e.getCause().getMessage());
        } catch (TimeoutException e) {
            throw unavailable(source, eventId, "no commit within 30 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(source, eventId, "interrupted");
        }
    }

    private void writeGroups() {
        List<Pending> group = new ArrayList<>(MAX_GROUP);
        while (true) {
            try {
                group.add(waiting.take());
                waiting.drainTo(group, MAX_GROUP - 1);
                write(group);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                group.forEach(pending -> pending.inserted().completeExceptionally(e));
            }
            group.clear();
        }
    }

    /** One transaction for the group; if it fails, each row alone, so that one bad row fails only its own request. */
    private void write(List<Pending> group) {
        try {
            boolean[] inserted = insertAll(group);
            for (int i = 0; i < group.size(); i++) {
                group.get(i).inserted().complete(inserted[i]);
            }
        } catch (SQLException groupFailed) {
            if (group.size() == 1) {
                group.get(0).inserted().completeExceptionally(groupFailed);
                return;
            }
            for (Pending pending : group) {
                try {
                    pending.inserted().complete(insertAll(List.of(pending))[0]);
                } catch (SQLException e) {
                    pending.inserted().completeExceptionally(e);
                }
            }
        }
    }

    private boolean[] insertAll(List<Pending> group) throws SQLException {
        Timestamp now = Timestamp.from(Instant.now(clock));
        try (Connection connection = store.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement(postgresql ? INSERT_POSTGRESQL : INSERT_H2)) {
                for (Pending pending : group) {
                    insert.setString(1, pending.source());
                    insert.setString(2, pending.eventId());
                    insert.setString(3, pending.eventType());
                    insert.setTimestamp(4, now);
                    insert.setString(5, pending.payload());
                    insert.setTimestamp(6, now);
                    if (!postgresql) {
                        insert.setString(7, pending.source());
                        insert.setString(8, pending.eventId());
                    }
                    insert.addBatch();
                }
                int[] counts = insert.executeBatch();
                connection.commit();
                boolean[] inserted = new boolean[counts.length];
                for (int i = 0; i < counts.length; i++) {
                    inserted[i] = counts[i] != 0;
                }
                return inserted;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }

    private static WebhookRejected unavailable(String source, String eventId, String reason) {
        LOG.error("webhook not stored source={} eventId={}: the inbox cannot be written: {}", source, eventId, reason);
        return WebhookRejected.unavailable("store", "the webhook could not be stored: retry later");
    }
}
