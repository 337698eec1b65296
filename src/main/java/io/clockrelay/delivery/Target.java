package io.clockrelay.delivery;

import io.clockrelay.record.TimeRecord;
import org.apache.camel.CamelContext;
import org.apache.camel.Predicate;
import org.apache.camel.support.DefaultExchange;

import java.util.Map;
import java.util.Set;

/**
 * A declared target: its type (jdbc: a database pool for its route; http: signed calls; route: its route alone),
 * its route ({@code direct:target-<name>}, in the target's route file), whether that route takes a batch (a
 * list of records, as from one claim) besides a single record, which records it wants (empty sets mean all) and
 * its retry schedule.
 */
public record Target(String name, String type, boolean enabled, boolean batch, Set<String> sources, Set<String> entities,
                     Set<String> eventTypes, Predicate filter, CamelContext camelContext, RetrySchedule retry) {

    /**
     * Whether this target wants a record: enabled, and the record's source, entity and event type among those
     * listed (an empty list allows all), and the filter (a Camel simple predicate over the record as a map, as
     * {@code ${body[attributes][jobId]} == 'cc6e0b98'}) true when there is one.
     */
    public boolean wants(TimeRecord record, Map<String, Object> asMap) {
        if (!enabled
                || !(sources.isEmpty() || sources.contains(record.source()))
                || !(entities.isEmpty() || entities.contains(record.entity()))
                || !(eventTypes.isEmpty() || eventTypes.contains(record.eventType()))) {
            return false;
        }
        if (filter == null) {
            return true;
        }
        DefaultExchange exchange = new DefaultExchange(camelContext);
        exchange.getMessage().setBody(asMap);
        return filter.matches(exchange);
    }
}
