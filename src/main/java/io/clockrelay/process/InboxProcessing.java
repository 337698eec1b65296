package io.clockrelay.process;

import io.clockrelay.delivery.Outbox;
import io.clockrelay.inbox.Inbox;
import io.clockrelay.inbox.InboxEvent;
import io.clockrelay.observe.ClockrelayMetrics;
import io.clockrelay.record.RecordMapping;
import io.clockrelay.record.RetryAfter;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * The process stage's work on one claim, in the order the webhooks were accepted: each mapped to its records with
 * its vendor's mapper, then all their deliveries written, and the webhooks marked processed, in one transaction.
 *
 * <p>Of several webhooks about one thing whose vendor only names what changed (Clockodo), the newest is mapped (one
 * fetch, made after all of them) and the others are processed with it.
 *
 * <p>A webhook that cannot be mapped yet (an API down) goes back to be retried, and the later webhooks of the claim
 * that share a key with it go back with it, untouched: none is delivered ahead of it. A webhook that can never be
 * mapped ({@link Unmappable}, or a value the store cannot hold) is set aside as failed, with its reason.
 */
public class InboxProcessing {

    private static final Logger LOG = LoggerFactory.getLogger(InboxProcessing.class);

    private final DataSource store;
    private final String dialect;
    private final Inbox inbox;
    private final RecordMapping mapping;
    private final Outbox outbox;
    private final ClockrelayMetrics metrics;
    private final BooleanSupplier stopping;
    private final BooleanSupplier available;

    /** A webhook, the records it became, and the older webhooks about the same thing that it serves (newest only). */
    record Mapped(InboxEvent event, List<TimeRecord> records, List<InboxEvent> serves) {
    }

    public InboxProcessing(DataSource store, String dialect, Inbox inbox, RecordMapping mapping, Outbox outbox, ClockrelayMetrics metrics,
                           BooleanSupplier stopping) {
        this(store, dialect, inbox, mapping, outbox, metrics, stopping, () -> true);
    }

    /** @param available false while the stage's sources cannot be mapped (their API's circuit is open): nothing is claimed */
    public InboxProcessing(DataSource store, String dialect, Inbox inbox, RecordMapping mapping, Outbox outbox, ClockrelayMetrics metrics,
                           BooleanSupplier stopping, BooleanSupplier available) {
        this.available = available;
        this.store = store;
        this.dialect = dialect;
        this.inbox = inbox;
        this.mapping = mapping;
        this.outbox = outbox;
        this.metrics = metrics;
        this.stopping = stopping;
    }

    /** Claims and processes one batch; returns how many webhooks were claimed (0: nothing to do). */
    public int processNext() throws Exception {
        if (!available.getAsBoolean()) {
            return 0;
        }
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
        RecordStates states = new RecordStates(store, dialect);
        states.preload(claimed.stream().map(InboxEvent::recordKey).toList());
        Set<String> heldBack = new HashSet<>();
        List<Mapped> mapped = new ArrayList<>();
        List<InboxEvent> untouched = new ArrayList<>();
        Map<InboxEvent, List<InboxEvent>> serves = newestServes(claimed);
        for (InboxEvent event : claimed) {
            List<InboxEvent> served = serves.get(event);
            if (served == null) {
                // A newer webhook about the same thing, later in this claim, serves this one.
                continue;
            }
            if (stopping.getAsBoolean() || holds(heldBack, event) || !available.getAsBoolean()) {
                // SIGTERM, an earlier webhook of its keys goes back (this one waits behind it), or the vendor's API
                // became unavailable during the claim (its circuit opened): back untouched.
                untouched.add(event);
                untouched.addAll(served);
                heldBack.addAll(event.keys());
                continue;
            }
            try {
                List<TimeRecord> records = new ArrayList<>();
                for (TimeRecord record : mapping.map(event.sourceEvent(), event.payload(), states)) {
                    records.add(states.merge(record));
                }
                mapped.add(new Mapped(event, records, served));
            } catch (Unmappable e) {
                setAside(event, e.getMessage());
                untouched.addAll(served);
            } catch (Exception e) {
                if (transientFailure(e)) {
                    inbox.retryLater(event, e);
                    heldBack.addAll(event.keys());
                } else {
                    // Not the vendor's API nor the store: a flaw in the mapping, which retrying cannot mend.
                    LOG.error("webhook source={} eventId={} could not be mapped", event.source(), event.eventId(), e);
                    setAside(event, "clockrelay could not map it (" + e + "): replay it once a version that can is running");
                }
                untouched.addAll(served);
            }
        }
        try {
            write(mapped, states);
        } catch (Exception together) {
            LOG.debug("claim not written in one transaction, writing its webhooks one by one: {}", together.getMessage());
            Set<String> failedKeys = new HashSet<>();
            for (Mapped one : mapped) {
                if (holds(failedKeys, one.event())) {
                    untouched.add(one.event());
                    untouched.addAll(one.serves());
                    continue;
                }
                try {
                    write(List.of(one), states);
                } catch (Exception e) {
                    if (neverStorable(e)) {
                        setAside(one.event(), "its records cannot be stored: " + e.getMessage());
                    } else {
                        inbox.retryLater(one.event(), e);
                        failedKeys.addAll(one.event().keys());
                    }
                    untouched.addAll(one.serves());
                }
            }
        }
        inbox.putBack(untouched);
    }

    /** The webhooks' deliveries, the states of their records, and the webhooks marked processed: one transaction. */
    private void write(List<Mapped> mapped, RecordStates states) throws SQLException {
        if (mapped.isEmpty()) {
            return;
        }
        List<InboxEvent> events = new ArrayList<>();
        List<TimeRecord> records = new ArrayList<>();
        Transactions.run(store, connection -> {
            for (Mapped one : mapped) {
                outbox.enqueue(connection, one.records(), one.event().id());
                events.add(one.event());
                events.addAll(one.serves());
                records.addAll(one.records());
            }
            states.write(connection, records);
            inbox.markProcessed(connection, events);
        });
        for (Mapped one : mapped) {
            for (TimeRecord record : one.records()) {
                metrics.recordProduced(record.source(), record.entity());
            }
        }
    }

    /**
     * For each webhook of the claim, the older ones it serves: none, unless its source's mapper maps only the newest
     * of several about one thing (a vendor whose webhooks name only what changed, so that one fetch made after the
     * newest serves them all). A webhook served by a newer one is not a key of the map.
     */
    private Map<InboxEvent, List<InboxEvent>> newestServes(List<InboxEvent> claimed) {
        Map<String, InboxEvent> newest = new HashMap<>();
        for (InboxEvent event : claimed) {
            if (event.recordKey() != null && mapping.servesNewestOnly(event.source())) {
                newest.put(event.recordKey(), event);
            }
        }
        Map<InboxEvent, List<InboxEvent>> serves = new LinkedHashMap<>();
        for (InboxEvent event : claimed) {
            InboxEvent newer = event.recordKey() == null ? null : newest.get(event.recordKey());
            if (newer == null || newer == event) {
                serves.putIfAbsent(event, new ArrayList<>());
            } else {
                serves.computeIfAbsent(newer, first -> new ArrayList<>()).add(event);
            }
        }
        return serves;
    }

    private void setAside(InboxEvent event, String reason) throws SQLException {
        inbox.setAside(event, reason);
        metrics.webhookFailed(event.source());
    }

    private static boolean holds(Collection<String> keys, InboxEvent event) {
        return event.keys().stream().anyMatch(keys::contains);
    }

    /**
     * A failure that passes: a vendor's API that cannot answer now (it says when to try again), the store or the
     * network unreachable. Anything else is a flaw in mapping the webhook, the same on every try.
     */
    private static boolean transientFailure(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof RetryAfter || cause instanceof java.io.IOException || cause instanceof SQLException) {
                return true;
            }
        }
        return false;
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
