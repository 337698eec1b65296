package io.clockrelay.source.clockeye;

import com.fasterxml.jackson.databind.JsonNode;
import io.clockrelay.webhook.EventReader;
import io.clockrelay.webhook.OrderingKeys;
import io.clockrelay.webhook.ReceivedEvent;

import static io.clockrelay.record.Fields.text;

/**
 * ClockEye's envelope {@code {id, type, created_at, data}}: the event id is {@code id}. The webhook is ordered by the
 * employee it names ({@code data.user_id}; a user event by its own id) and by the thing it changes ({@code data.id}).
 */
public class ClockEyeEventReader implements EventReader {

    @Override
    public ReceivedEvent read(JsonNode body, byte[] rawBody) {
        String eventId = EventReader.requiredText(body, "id");
        String type = EventReader.requiredText(body, "type");
        JsonNode data = body.path("data");
        String entity = ClockEyeMapper.entityOf(type);
        String id = text(data.get("id"));
        String user = entity != null && entity.equals("user") ? id : text(data.get("user_id"));
        return new ReceivedEvent(eventId, type, OrderingKeys.employee("clockeye", user),
                entity == null ? null : OrderingKeys.of("clockeye", entity, id));
    }
}
