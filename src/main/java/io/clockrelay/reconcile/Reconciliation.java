package io.clockrelay.reconcile;

import io.clockrelay.inbox.InboxWriter;
import io.clockrelay.observe.ClockrelayMetrics;
import io.clockrelay.store.Jobs;
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
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Heals from the vendors' APIs what their webhooks never delivered (docs/design.md, "Reconciliation"): for a vendor
 * and a time range, every entity its API lists is compared with what clockrelay last knew of its record (the
 * fingerprint of the vendor's content); one missing or different goes into the inbox as an event of type
 * {@code reconciled}, mapped and delivered in order with the webhooks. A record clockrelay knows inside the range
 * that the vendor no longer lists is deleted the same way. Nothing is compared, nor deleted, unless the listing was
 * read to its end. One instance at a time per vendor ({@link Jobs}), on a schedule and on demand.
 */
public class Reconciliation {

    private static final Logger LOG = LoggerFactory.getLogger(Reconciliation.class);
    private static final Duration LEASE = Duration.ofMinutes(10);
    private static final Duration LONGEST_RANGE = Duration.ofDays(400);

    private final DataSource store;
    private final InboxWriter inbox;
    private final Jobs jobs;
    private final Clock clock;
    private final ClockrelayMetrics metrics;
    private final Duration interval;
    private final Duration window;
    private final Map<String, Reconciler> reconcilers = new LinkedHashMap<>();

    /** What a run found: how many entities it checked, and how many were missing, changed and removed. */
    public record Report(String source, Instant since, Instant until, int checked, int missing, int changed, int removed, long millis) {
    }

    public Reconciliation(DataSource store, InboxWriter inbox, Jobs jobs, Clock clock, ClockrelayMetrics metrics, Duration interval,
                          Duration window, Collection<Reconciler> reconcilers) {
        this.store = store;
        this.inbox = inbox;
        this.jobs = jobs;
        this.clock = clock;
        this.metrics = metrics;
        this.interval = interval;
        this.window = window;
        reconcilers.forEach(reconciler -> this.reconcilers.put(reconciler.source(), reconciler));
    }

    public Collection<Reconciler> reconcilers() {
        return reconcilers.values();
    }

    public Duration interval() {
        return interval;
    }

    public Duration window() {
        return window;
    }

    /**
     * The schedule: every configured vendor whose last reconciliation (on any instance) finished an interval ago,
     * over the last CLOCKRELAY_RECONCILE_DAYS. A vendor that fails is said in the log and a metric, and tried again at
     * the next interval; the others go on.
     */
    public void runDue() {
        for (Reconciler reconciler : reconcilers.values()) {
            if (!reconciler.isConfigured()) {
                continue;
            }
            Instant now = Instant.now(clock);
            try {
                jobs.runAlone(job(reconciler), interval.minus(Duration.ofSeconds(30)), LEASE,
                        lease -> run(reconciler, now.minus(window), now, lease));
            } catch (Exception e) {
                failed(reconciler, e);
            }
        }
    }

    /**
     * {@code POST /admin/reconcile?source=clockodo|connecteam&since=<instant>&until=<instant>}: one run now, answered
     * with its report; 400 for a bad source or range, 409 while one runs for that vendor.
     */
    public String onDemand(Exchange exchange, @Header("source") String source, @Header("since") String since,
                           @Header("until") String until) throws Exception {
        if (!"POST".equals(exchange.getMessage().getHeader(Exchange.HTTP_METHOD, String.class))) {
            return refuse(exchange, 405, "reconcile with POST");
        }
        Reconciler reconciler = source == null ? null : reconcilers.get(source);
        if (reconciler == null) {
            return refuse(exchange, 400, "source must be one of " + reconcilers.keySet());
        }
        if (!reconciler.isConfigured()) {
            return refuse(exchange, 400, source + " is not reconciled: " + reconciler.notConfigured());
        }
        Instant from;
        Instant to;
        try {
            to = until == null ? Instant.now(clock) : Instant.parse(until.trim());
            from = since == null ? to.minus(window) : Instant.parse(since.trim());
        } catch (DateTimeParseException e) {
            return refuse(exchange, 400, "since and until are ISO-8601 instants, as 2024-01-15T00:00:00Z");
        }
        if (!from.isBefore(to) || Duration.between(from, to).compareTo(LONGEST_RANGE) > 0) {
            return refuse(exchange, 400, "since must be before until, at most " + LONGEST_RANGE.toDays() + " days apart");
        }
        Report[] report = new Report[1];
        try {
            if (!jobs.runAlone(job(reconciler), Duration.ZERO, LEASE, lease -> report[0] = run(reconciler, from, to, lease))) {
                return refuse(exchange, 409, "a reconciliation of " + source + " is running already: try again when it has finished");
            }
        } catch (Exception e) {
            failed(reconciler, e);
            return refuse(exchange, 502, source + "'s API failed during the reconciliation: " + e.getMessage());
        }
        return json(report[0]);
    }

    private Report run(Reconciler reconciler, Instant since, Instant until, Jobs.Lease lease) throws Exception {
        Instant began = Instant.now(clock);
        List<Reconciler.Listed> listed = reconciler.list(since, until);
        lease.renew();
        Map<String, Known> known = known(listed.stream().map(Reconciler.Listed::recordId).toList());
        int missing = 0;
        int changed = 0;
        Set<String> seen = new HashSet<>();
        for (Reconciler.Listed entity : listed) {
            seen.add(entity.recordId());
            Known before = known.get(entity.recordId());
            if (before != null && !before.deleted() && entity.fingerprint().equals(before.fingerprint())) {
                continue;
            }
            if (inject(reconciler, entity.injection())) {
                if (before == null) {
                    missing++;
                } else {
                    changed++;
                }
            }
        }
        int removed = 0;
        for (Known gone : candidatesForDeletion(reconciler, since, until)) {
            if (!seen.contains(gone.recordId()) && inject(reconciler, reconciler.deletion(gone.entity(), gone.entityId(), gone.userId(), gone.lastEventAt()))) {
                removed++;
            }
        }
        Report report = new Report(reconciler.source(), since, until, listed.size(), missing, changed, removed,
                Duration.between(began, Instant.now(clock)).toMillis());
        LOG.info("reconciliation source={} since={} until={} checked={} missing={} changed={} removed={} in {} ms", report.source(),
                since, until, report.checked(), missing, changed, removed, report.millis());
        metrics.reconciled(reconciler.source(), true, report.checked(), missing, changed, removed);
        return report;
    }

    private boolean inject(Reconciler reconciler, Injection injection) {
        return inbox.insert(new InboxWriter.Webhook(reconciler.source(), injection.eventId(), Injection.EVENT_TYPE, injection.orderingKey(),
                injection.recordKey(), injection.payload()));
    }

    private void failed(Reconciler reconciler, Exception e) {
        LOG.warn("reconciliation source={} failed, tried again at the next interval: {}", reconciler.source(), e.getMessage());
        metrics.reconciled(reconciler.source(), false, 0, 0, 0, 0);
    }

    private record Known(String recordId, String entity, String entityId, String userId, String fingerprint, boolean deleted, Instant lastEventAt) {
    }

    /** What clockrelay knows of the listed records, by record id. */
    private Map<String, Known> known(List<String> recordIds) throws SQLException {
        Map<String, Known> known = new HashMap<>();
        for (int from = 0; from < recordIds.size(); from += 500) {
            List<String> ids = recordIds.subList(from, Math.min(recordIds.size(), from + 500));
            String marks = String.join(",", java.util.Collections.nCopies(ids.size(), "?"));
            try (Connection connection = store.getConnection(); PreparedStatement select = connection.prepareStatement(
                    "SELECT record_id, entity, entity_id, user_id, fingerprint, deleted, last_event_at FROM records WHERE record_id IN (" + marks + ")")) {
                for (int i = 0; i < ids.size(); i++) {
                    select.setString(i + 1, ids.get(i));
                }
                read(select, known);
            }
        }
        return known;
    }

    /**
     * The records the vendor would list if they still existed: of the entities its listing covers completely, not
     * deleted, their day strictly inside the range (a record on the range's first or last day may lie partly outside
     * what the vendor lists for it, and is never deleted for not being listed).
     */
    private Collection<Known> candidatesForDeletion(Reconciler reconciler, Instant since, Instant until) throws SQLException {
        Map<String, Known> candidates = new HashMap<>();
        List<String> entities = new ArrayList<>(reconciler.entities());
        String marks = String.join(",", java.util.Collections.nCopies(entities.size(), "?"));
        try (Connection connection = store.getConnection(); PreparedStatement select = connection.prepareStatement(
                "SELECT record_id, entity, entity_id, user_id, fingerprint, deleted, last_event_at FROM records WHERE source = ? AND entity IN ("
                        + marks + ") AND deleted = FALSE AND work_date > ? AND work_date < ?")) {
            int index = 1;
            select.setString(index++, reconciler.source());
            for (String entity : entities) {
                select.setString(index++, entity);
            }
            select.setObject(index++, since.atZone(ZoneOffset.UTC).toLocalDate());
            select.setObject(index, until.atZone(ZoneOffset.UTC).toLocalDate());
            read(select, candidates);
        }
        return candidates.values();
    }

    private static void read(PreparedStatement select, Map<String, Known> into) throws SQLException {
        try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                Timestamp at = rows.getTimestamp(7);
                into.put(rows.getString(1), new Known(rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4),
                        rows.getString(5), rows.getBoolean(6), at == null ? null : at.toInstant()));
            }
        }
    }

    private static String job(Reconciler reconciler) {
        return "reconcile-" + reconciler.source();
    }

    private static String json(Report report) {
        return "{\"source\":\"" + report.source() + "\",\"since\":\"" + report.since() + "\",\"until\":\"" + report.until()
                + "\",\"checked\":" + report.checked() + ",\"missing\":" + report.missing() + ",\"changed\":" + report.changed()
                + ",\"removed\":" + report.removed() + ",\"millis\":" + report.millis() + "}";
    }

    private static String refuse(Exchange exchange, int status, String message) {
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        return "{\"error\":\"" + message.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
    }
}
