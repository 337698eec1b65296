package io.clockrelay.inbox;

import io.clockrelay.delivery.Outbox;
import io.clockrelay.record.RecordMapping;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The process stage's work on one claim: each webhook mapped to its records (one that cannot be mapped yet goes
 * back to the inbox to be retried), then all their deliveries written in one transaction. If that transaction
 * fails, each webhook is written alone, so that one problem holds back no other.
 */
public class InboxProcessing {

    private static final Logger LOG = LoggerFactory.getLogger(InboxProcessing.class);
    private final Inbox inbox;
    private final RecordMapping mapping;
    private final Outbox outbox;
    private final BooleanSupplier stopping;

    public InboxProcessing(Inbox inbox, RecordMapping mapping, Outbox outbox, BooleanSupplier stopping) {
        this.inbox = inbox;
        this.stopping = stopping;
        this.mapping = mapping;
        this.outbox = outbox;
    }

    public void process(List<InboxEvent> claimed) throws Exception {
        List<Outbox.Mapped> mapped = new ArrayList<>();
        for (InboxEvent event : claimed) {
            if (stopping.getAsBoolean()) {
                // SIGTERM: what is mapped so far is written; the rest of the claim is released for the next start.
                break;
            }
            try {
                mapped.add(new Outbox.Mapped(event, mapping.map(event)));
            } catch (Exception e) {
                inbox.retryLater(event, e);
            }
        }
        try {
            outbox.enqueueAll(mapped);
        } catch (Exception together) {
            LOG.debug("claim not written in one transaction, writing its webhooks one by one: {}", together.getMessage());
            for (Outbox.Mapped one : mapped) {
                try {
                    outbox.enqueueAll(List.of(one));
                } catch (Exception e) {
                    inbox.retryLater(one.event(), e);
                }
            }
        }
    }
}
