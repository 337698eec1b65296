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

    /** Whether the source's webhooks only name what changed: the newest of several about one thing serves them all. */
    public boolean servesNewestOnly(String source) {
        return mapperOf(source).servesNewestOnly();
    }

    /** Whether the source's webhooks can be mapped now (its API callable). */
    public boolean canMapNow(String source) {
        return mapperOf(source).canMapNow();
    }

    private RecordMapper mapperOf(String source) {
        String name = source + "Mapper";
        RecordMapper mapper = camelContext.getRegistry().lookupByNameAndType(name, RecordMapper.class);
        if (mapper == null) {
            throw new IllegalStateException("no record mapper named '" + name + "' for source " + source
                    + ": its receive route file must declare it");
        }
        return mapper;
    }

    public List<TimeRecord> map(SourceEvent event, String payload, KnownRecords known) throws IOException {
        RecordMapper mapper = mapperOf(event.source());
        JsonNode body;
        try {
            body = json.readTree(payload);
        } catch (IOException e) {
            throw new Unmappable("the stored payload is not JSON: " + e.getMessage());
        }
        List<TimeRecord> records = mapper.map(event, body, known);
        if (records.stream().anyMatch(record -> UNKNOWN.equals(record.entity()))) {
            Counter.builder("clockrelay.unknown.events")
                    .description("Webhooks of an event type clockrelay does not map, forwarded as entity unknown")
                    .tag("source", event.source()).tag("event_type", event.eventType())
                    .register(metrics).increment();
        }
        return records;
    }
}
