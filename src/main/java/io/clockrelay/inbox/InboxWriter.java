package io.clockrelay.inbox;

import io.clockrelay.record.Fingerprints;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
 *
 * <p>A webhook whose event id is a digest of its content (the vendor sent none) repeats its id whenever the same body
 * comes again. That is a retry only while it repeats the latest webhook about the same subject (its record key, else
 * its ordering key); after another one it is a new change (an edit A, then B, then A again), stored as
 * {@code <digest id>/after:<digest of the latest one's id>}. Only such a conflict costs the one indexed look-up more.
 */
public class InboxWriter {

    static final int MAX_GROUP = 256;
    private static final String COLUMNS = "INSERT INTO inbox (source, event_id, event_type, ordering_key, record_key, received_at, payload,"
            + " status, attempts, next_attempt_at) ";
    /** PostgreSQL settles a duplicate itself, also between instances; H2 (one instance, one writer) by a look first. */
    private static final String INSERT_POSTGRESQL = COLUMNS + "VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?) ON CONFLICT (source, event_id) DO NOTHING";
    private static final String INSERT_H2 = COLUMNS + "SELECT ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ? FROM (VALUES (1)) one"
            + " WHERE NOT EXISTS (SELECT 1 FROM inbox WHERE source = ? AND event_id = ?)";

    /** Between a content digest id and the digest of the webhook it came after, in the id of a repeated body. */
    static final String AFTER = "/after:";

    /**
     * A webhook to store: its source, identity, ordering keys (either may be null) and raw payload; {@code idFromContent}
     * when its event id is a digest of the payload.
     */
    public record Webhook(String source, String eventId, String eventType, String orderingKey, String recordKey, String payload,
                          boolean idFromContent) {

        public Webhook(String source, String eventId, String eventType, String orderingKey, String recordKey, String payload) {
            this(source, eventId, eventType, orderingKey, recordKey, payload, false);
        }

        /** What a repeated body is compared with: the latest webhook about the same record, else the same employee. */
        String subjectColumn() {
            return recordKey != null ? "record_key" : orderingKey != null ? "ordering_key" : null;
        }

        String subject() {
            return recordKey != null ? recordKey : orderingKey;
        }
    }

    /** The inbox cannot be written now (the store is down or overloaded): the caller answers 503 so that the vendor retries. */
    public static class Unavailable extends RuntimeException {
        public Unavailable(String message) {
            super(message, null, false, false);
        }
    }

    /** {@code stored}: the event id the row was stored under, null when the webhook was a duplicate. */
    private record Pending(Webhook webhook, CompletableFuture<String> stored) {
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
        return store(webhook) != null;
    }

    /**
     * The event id under which the webhook was inserted and committed (its own, or for a repeated body that is a new
     * change, the one derived from it), or null when it was already in the inbox.
     */
    public String store(Webhook webhook) {
        Pending pending = new Pending(webhook, new CompletableFuture<>());
        try {
            if (!waiting.offer(pending, 5, TimeUnit.SECONDS)) {
                throw new Unavailable("the inbox writer is overloaded");
            }
            return pending.stored().get(30, TimeUnit.SECONDS);
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
                group.forEach(pending -> pending.stored().completeExceptionally(e));
            }
            group.clear();
        }
    }

    /** One transaction for the group; if it fails, each row alone, so that one bad row fails only its own request. */
    private void write(List<Pending> group) {
        try {
            String[] stored = insertAll(group);
            for (int i = 0; i < group.size(); i++) {
                group.get(i).stored().complete(stored[i]);
            }
        } catch (SQLException groupFailed) {
            if (group.size() == 1) {
                group.get(0).stored().completeExceptionally(groupFailed);
                return;
            }
            for (Pending pending : group) {
                try {
                    pending.stored().complete(insertAll(List.of(pending))[0]);
                } catch (SQLException e) {
                    pending.stored().completeExceptionally(e);
                }
            }
        }
    }

    private String[] insertAll(List<Pending> group) throws SQLException {
        Timestamp now = Timestamp.from(Instant.now(clock));
        try (Connection connection = store.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement(postgresql ? INSERT_POSTGRESQL : INSERT_H2)) {
                for (Pending pending : group) {
                    bind(insert, pending.webhook(), pending.webhook().eventId(), now);
                    insert.addBatch();
                }
                int[] counts = insert.executeBatch();
                String[] stored = new String[counts.length];
                for (int i = 0; i < counts.length; i++) {
                    stored[i] = counts[i] != 0 ? group.get(i).webhook().eventId() : null;
                }
                for (int i = 0; i < counts.length; i++) {
                    Webhook webhook = group.get(i).webhook();
                    if (counts[i] == 0 && webhook.idFromContent() && webhook.subject() != null) {
                        stored[i] = storeIfNewChange(connection, insert, group, stored, i, now);
                    }
                }
                connection.commit();
                return stored;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }

    private void bind(PreparedStatement insert, Webhook webhook, String eventId, Timestamp now) throws SQLException {
        insert.setString(1, webhook.source());
        insert.setString(2, eventId);
        insert.setString(3, webhook.eventType());
        insert.setString(4, webhook.orderingKey());
        insert.setString(5, webhook.recordKey());
        insert.setTimestamp(6, now);
        insert.setString(7, webhook.payload());
        insert.setTimestamp(8, now);
        if (!postgresql) {
            insert.setString(9, webhook.source());
            insert.setString(10, eventId);
        }
    }

    /**
     * A body whose digest id is already in the inbox: a retry (null) when the latest webhook about its subject, received
     * before it, has the same body; else a new change, inserted under {@code <digest id>/after:<digest of that one's id>}
     * (the same id for its own retries, so they stay duplicates). Earlier rows of the same group count as received before.
     */
    private String storeIfNewChange(Connection connection, PreparedStatement insert, List<Pending> group, String[] stored, int index,
                                    Timestamp now) throws SQLException {
        Webhook webhook = group.get(index).webhook();
        String latest = null;
        for (int i = index - 1; i >= 0 && latest == null; i--) {
            Webhook earlier = group.get(i).webhook();
            if (stored[i] != null && webhook.source().equals(earlier.source()) && webhook.subject().equals(earlier.subject())
                    && webhook.subjectColumn().equals(earlier.subjectColumn())) {
                latest = stored[i];
            }
        }
        if (latest == null) {
            Set<String> insertedNow = new HashSet<>(Arrays.asList(stored));
            latest = latestInInbox(connection, webhook, insertedNow);
        }
        if (latest == null || bodyDigestId(latest).equals(webhook.eventId())) {
            return null;
        }
        String eventId = webhook.eventId() + AFTER + Fingerprints.sha256(latest).substring(0, 32);
        insert.clearBatch();
        bind(insert, webhook, eventId, now);
        return insert.executeUpdate() != 0 ? eventId : null;
    }

    /** The event id of the newest row about the webhook's subject, leaving out the rows this group has just inserted. */
    private static String latestInInbox(Connection connection, Webhook webhook, Set<String> insertedNow) throws SQLException {
        try (PreparedStatement latest = connection.prepareStatement("SELECT event_id FROM inbox WHERE " + webhook.subjectColumn()
                + " = ? AND source = ? ORDER BY id DESC")) {
            latest.setString(1, webhook.subject());
            latest.setString(2, webhook.source());
            latest.setMaxRows(insertedNow.size() + 1);
            try (ResultSet rows = latest.executeQuery()) {
                while (rows.next()) {
                    if (!insertedNow.contains(rows.getString(1))) {
                        return rows.getString(1);
                    }
                }
                return null;
            }
        }
    }

    /** The digest id of the body an event id stands for: the id itself, or what comes before {@value #AFTER}. */
    private static String bodyDigestId(String eventId) {
        int after = eventId.indexOf(AFTER);
        return after < 0 ? eventId : eventId.substring(0, after);
    }
}
