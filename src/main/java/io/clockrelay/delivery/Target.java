package io.clockrelay.delivery;

import io.clockrelay.record.TimeRecord;

import java.util.Set;

/**
 * A declared target: its type (jdbc: a database pool for its route; http: signed calls; route: its route alone),
 * its route ({@code direct:target-<name>}, in the target's route file), which records it wants (empty sets mean
 * all) and its retry schedule.
 */
public record Target(String name, String type, boolean enabled, Set<String> sources, Set<String> entities, RetrySchedule retry) {

    public String endpointUri() {
        return "direct:target-" + name;
    }

    public boolean wants(TimeRecord record) {
        return enabled
                && (sources.isEmpty() || sources.contains(record.source()))
                && (entities.isEmpty() || entities.contains(record.entity()));
    }
}
