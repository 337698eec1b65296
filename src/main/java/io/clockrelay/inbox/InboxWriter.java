package io.clockrelay.inbox;

import javax.sql.DataSource;
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
 * The one durable write of the request path: inserts a verified webhook into the inbox and returns only after
 * the row is committed. The (source, event_id) unique key is the de-duplication: a repeat inserts nothing.
 *
 * <p>Group commit: concurrent requests hand their rows to one writer thread, which inserts all that are waiting
 * (up to {@value #MAX_GROUP}) in one transaction and answers each request once that transaction has committed.
 * One commit (one disk write) then serves many webhooks; no request is answered before its row is durable.
 */
public class InboxWriter {

    static final int MAX_GROUP = 256;
    private static final String COLUMNS = "INSERT INTO inbox (source, event_id, event_type, ordering_key, record_key, received_at, payload,"
            + " status, attempts, next_attempt_at) ";
    /** PostgreSQL settles a duplicate itself, also between instances; H2 (one instance, one writer) by a look first. */
    private static final String INSERT_POSTGRESQL = COLUMNS + "VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?) ON CONFLICT (source, event_id) DO NOTHING";
    private static final String INSERT_H2 = COLUMNS + "SELECT ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ? FROM (VALUES (1)) one"
            + " WHERE NOT EXISTS (SELECT 1 FROM inbox WHERE source = ? AND event_id = ?)";

    /** A webhook to store: its source, identity, ordering keys (either may be null) and raw payload. */
    public record Webhook(String source, String eventId, String eventType, String orderingKey, String recordKey, String payload) {
    }

    /** The inbox cannot be written now (the store is down or overloaded): the caller answers 503 so that the vendor retries. */
    public static class Unavailable extends RuntimeException {
        public Unavailable(String message) {
            super(message, null, false, false);
        }
    }

    private record Pending(Webhook webhook, CompletableFuture<Boolean> inserted) {
    }

    private final DataSource store;
    private final Clock clock;
    private final boolean postgresql;
    private final BlockingQueue<Pending> waiting = new ArrayBlockingQueue<>(10 * MAX_GROUP);

    public InboxWriter(DataSource store, Clock clock, String dialect) {
        this.store = store;
        this.clock = clock;
        this.postgresql = dialect.equals("postgresql");
        Thread writer = new Thread(this::writeGroups, "inbox-writer");
        writer.setDaemon(true);
        writer.start();
    }

    /** True when the row was inserted and committed, false when the event was already in the inbox. */
    public boolean insert(Webhook webhook) {
        Pending pending = new Pending(webhook, new CompletableFuture<>());
        try {
            if (!waiting.offer(pending, 5, TimeUnit.SECONDS)) {
                throw new Unavailable("the inbox writer is overloaded");
            }
            return pending.inserted().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new Unavailable(String.valueOf(e.getCause().getMessage()));
        } catch (TimeoutException e) {
            throw new Unavailable("no commit within 30 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted");
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
                    Webhook webhook = pending.webhook();
                    insert.setString(1, webhook.source());
                    insert.setString(2, webhook.eventId());
                    insert.setString(3, webhook.eventType());
                    insert.setString(4, webhook.orderingKey());
                    insert.setString(5, webhook.recordKey());
                    insert.setTimestamp(6, now);
                    insert.setString(7, webhook.payload());
                    insert.setTimestamp(8, now);
                    if (!postgresql) {
                        insert.setString(9, webhook.source());
                        insert.setString(10, webhook.eventId());
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
}
