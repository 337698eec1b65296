package io.clockrelay.process;

import io.clockrelay.delivery.Outbox;
import io.clockrelay.inbox.Inbox;
import io.clockrelay.inbox.InboxEvent;
import io.clockrelay.observe.ClockrelayMetrics;
import io.clockrelay.record.RecordMapping;
import io.clockrelay.record.TimeRecord;
import io.clockrelay.record.Unmappable;
import io.clockrelay.store.Transactions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * The process stage's work on one claim, in the order the webhooks were accepted: each mapped to its records with
 * its vendor's mapper, then all their deliveries written, and the webhooks marked processed, in one transaction.
 *
 * <p>A webhook that cannot be mapped yet (an API down) goes back to be retried, and the later webhooks of the claim
 * that share a key with it go back with it, untouched: none is delivered ahead of it. A webhook that can never be
 * mapped ({@link Unmappable}, or a value the store cannot hold) is set aside as failed, with its reason.
 */
public class InboxProcessing {

    private static final Logger LOG = LoggerFactory.getLogger(InboxProcessing.class);

    private final DataSource store;
    private final Inbox inbox;
    private final RecordMapping mapping;
    private final Outbox outbox;
    private final ClockrelayMetrics metrics;
    private final BooleanSupplier stopping;

    /** A webhook and the records it became. */
    record Mapped(InboxEvent event, List<TimeRecord> records) {
    }

    public InboxProcessing(DataSource store, Inbox inbox, RecordMapping mapping, Outbox outbox, ClockrelayMetrics metrics,
                           BooleanSupplier stopping) {
        this.store = store;
        this.inbox = inbox;
        this.mapping = mapping;
        this.outbox = outbox;
        this.metrics = metrics;
        this.stopping = stopping;
    }

    /** Claims and processes one batch; returns how many webhooks were claimed (0: nothing to do). */
    public int processNext() throws Exception {
        List<InboxEvent> claimed = inbox.claim();
        if (claimed.isEmpty()) {
            return 0;
        }
        try {
            process(claimed);
        } finally {
            inbox.finished(claimed.get(0).claimToken());
        }
        return claimed.size();
    }

    void process(List<InboxEvent> claimed) throws Exception {
        Set<String> heldBack = new HashSet<>();
        List<Mapped> mapped = new ArrayList<>();
        List<InboxEvent> untouched = new ArrayList<>();
        for (InboxEvent event : claimed) {
            if (stopping.getAsBoolean() || holds(heldBack, event)) {
                // SIGTERM, or an earlier webhook of its keys goes back: this one waits behind it.
                untouched.add(event);
                heldBack.addAll(event.keys());
                continue;
            }
            try {
                mapped.add(new Mapped(event, mapping.map(event.sourceEvent(), event.payload())));
            } catch (Unmappable e) {
                setAside(event, e.getMessage());
            } catch (Exception e) {
                inbox.retryLater(event, e);
                heldBack.addAll(event.keys());
            }
        }
        try {
            write(mapped);
        } catch (Exception together) {
            LOG.debug("claim not written in one transaction, writing its webhooks one by one: {}", together.getMessage());
            Set<String> failedKeys = new HashSet<>();
            for (Mapped one : mapped) {
                if (holds(failedKeys, one.event())) {
                    untouched.add(one.event());
                    continue;
                }
                try {
                    write(List.of(one));
                } catch (Exception e) {
                    if (neverStorable(e)) {
                        setAside(one.event(), "its records cannot be stored: " + e.getMessage());
                    } else {
                        inbox.retryLater(one.event(), e);
                        failedKeys.addAll(one.event().keys());
                    }
                }
            }
        }
        inbox.putBack(untouched);
    }

    private void write(List<Mapped> mapped) throws SQLException {
        if (mapped.isEmpty()) {
            return;
        }
        List<InboxEvent> events = new ArrayList<>();
        Transactions.run(store, connection -> {
            for (Mapped one : mapped) {
                outbox.enqueue(connection, one.records(), one.event().id());
                events.add(one.event());
            }
            inbox.markProcessed(connection, events);
        });
        for (Mapped one : mapped) {
            for (TimeRecord record : one.records()) {
                metrics.recordProduced(record.source(), record.entity());
            }
        }
    }

    private void setAside(InboxEvent event, String reason) throws SQLException {
        inbox.setAside(event, reason);
        metrics.webhookFailed(event.source());
    }

    private static boolean holds(Collection<String> keys, InboxEvent event) {
        return event.keys().stream().anyMatch(keys::contains);
    }

    /** An SQL data or constraint error (class 22 or 23): the same rows would fail again however often they are tried. */
    private static boolean neverStorable(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("22") || sql.getSQLState().startsWith("23"))) {
                return true;
            }
        }
        return false;
    }
}
