package io.clockrelay.source.clockodo;

import com.fasterxml.jackson.databind.JsonNode;

import io.clockrelay.record.RecordBuilder;
import io.clockrelay.record.SourceEvent;
import io.clockrelay.record.RecordMapper;
import io.clockrelay.record.RecordMapping;
import io.clockrelay.record.TimeRecord;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.clockrelay.record.RecordBuilder.instant;
import static io.clockrelay.record.RecordBuilder.number;
import static io.clockrelay.record.RecordBuilder.text;

/**
 * Clockodo notifications carry only the entity's id: the entity is fetched from Clockodo's API (snake_case
 * fields) and mapped. A {@code *.deleted} event, or an entity Clockodo no longer has (404), is a deletion.
 */
public class ClockodoMapper implements RecordMapper {

    private static final Map<String, String> ENTITIES = Map.of("entry", "time_entry");
    private static final Set<String> ENTRY_FIELDS = Set.of("id", "users_id", "time_since", "time_until", "duration");
    private static final Set<String> ABSENCE_FIELDS = Set.of("id", "users_id");

    private ClockodoApi api;

    public void setApi(ClockodoApi api) {
        this.api = api;
    }

    @Override
    public List<TimeRecord> map(SourceEvent event, JsonNode notification) {
        String eventName = event.eventType();
        int dot = eventName.lastIndexOf('.');
        String kind = dot > 0 ? eventName.substring(0, dot) : eventName;
        String change = dot > 0 ? eventName.substring(dot + 1) : "";
        JsonNode reference = notification.path("payload").path(kind);
        String id = text(reference.get("id"));
        Instant occurredAt = instant(notification.get("occurred_at"));
        if (id == null || !api.knows(kind)) {
            return List.of(RecordBuilder.of(event, RecordMapping.UNKNOWN, event.eventId())
                    .attribute("payload", notification).occurredAt(occurredAt).build());
        }
        String entity = ENTITIES.getOrDefault(kind, kind);
        RecordBuilder record = RecordBuilder.of(event, entity, id).occurredAt(occurredAt);
        if (change.equals("deleted")) {
            return List.of(record.delete().build());
        }
        JsonNode fetched;
        try {
            fetched = api.fetch(kind, id);
        } catch (IOException e) {
            throw new UncheckedIOException("Clockodo's answer for " + kind + " " + id + " is not JSON", e);
        }
        if (fetched == null || !fetched.isObject()) {
            return List.of(record.delete().build());
        }
        switch (kind) {
            case "entry" -> record.userId(text(fetched.get("users_id")))
                    .start(instant(fetched.get("time_since")))
                    .end(instant(fetched.get("time_until")))
                    .durationSeconds(number(fetched.get("duration")))
                    .attributesExcept(fetched, ENTRY_FIELDS);
            case "absence" -> {
                Instant until = instant(fetched.get("date_until"));
                record.userId(text(fetched.get("users_id")))
                        .start(instant(fetched.get("date_since")))
                        // date_until is the absence's last day: the record ends when that day does.
                        .end(until != null && text(fetched.get("date_until")).length() == 10 ? until.plusSeconds(86_400) : until)
                        .attributesExcept(fetched, ABSENCE_FIELDS);
            }
            case "user" -> record.userId(id).attributesExcept(fetched, Set.of("id"));
            // The reference entities; those of one user (holiday quotas, carries, change requests) name the user.
            default -> record.userId(text(fetched.get("users_id"))).attributesExcept(fetched, Set.of("id", "users_id"));
        }
        return List.of(record.build());
    }
}
