package io.clockrelay.record;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;

import java.io.IOException;
import java.util.List;

/**
 * The process stage's mapping step: finds the vendor's mapper by name and applies it to a received webhook.
 * Events no mapper knows become records of entity {@code unknown}, counted in
 * {@code clockrelay_unknown_events_total{source, event_type}} so that a vendor's new events are noticed.
 */
public class RecordMapping {

    public static final String UNKNOWN = "unknown";

    private final CamelContext camelContext;
    private final ObjectMapper json;
    private final MeterRegistry metrics;

    public RecordMapping(CamelContext camelContext, ObjectMapper json, MeterRegistry metrics) {
        this.camelContext = camelContext;
        this.json = json;
        this.metrics = metrics;
    }

    public List<TimeRecord> map(SourceEvent event, String payload) throws IOException {
        String name = event.source() + "Mapper";
        RecordMapper mapper = camelContext.getRegistry().lookupByNameAndType(name, RecordMapper.class);
        if (mapper == null) {
            throw new IllegalStateException("no record mapper named '" + name + "' for source " + event.source()
                    + ": its receive route file must declare it");
        }
        List<TimeRecord> records = mapper.map(event, json.readTree(payload));
        if (records.stream().anyMatch(record -> UNKNOWN.equals(record.entity()))) {
            Counter.builder("clockrelay.unknown.events")
                    .description("Webhooks of an event type clockrelay does not map, forwarded as entity unknown")
                    .tag("source", event.source()).tag("event_type", event.eventType())
                    .register(metrics).increment();
        }
        return records;
    }
}
