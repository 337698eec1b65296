package io.clockrelay.record;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clockrelay.inbox.InboxEvent;
import org.apache.camel.CamelContext;

import java.io.IOException;
import java.util.List;

/** The process stage's mapping step: finds the vendor's mapper by name and applies it to a claimed inbox row. */
public class RecordMapping {

    private final CamelContext camelContext;
    private final ObjectMapper json;

    public RecordMapping(CamelContext camelContext, ObjectMapper json) {
        this.camelContext = camelContext;
        this.json = json;
    }

    public List<TimeRecord> map(InboxEvent event) throws IOException {
        String name = event.source() + "Mapper";
        RecordMapper mapper = camelContext.getRegistry().lookupByNameAndType(name, RecordMapper.class);
        if (mapper == null) {
            throw new IllegalStateException("no record mapper named '" + name + "' for source " + event.source()
                    + ": its receive route file must declare it");
        }
        JsonNode payload = json.readTree(event.payload());
        return mapper.map(event, payload);
    }
}
