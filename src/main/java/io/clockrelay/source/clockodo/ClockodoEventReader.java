package io.clockrelay.source.clockodo;

import com.fasterxml.jackson.databind.JsonNode;
import io.clockrelay.webhook.EventReader;
import io.clockrelay.webhook.OrderingKeys;
import io.clockrelay.webhook.ReceivedEvent;
import io.clockrelay.webhook.WebhookRejected;

import java.util.Iterator;
import java.util.Map;

/**
 * Clockodo's notification {@code {subscription_id, company_id, occurred_at, event_name, payload: {<entity>: {id}}, token}}
 * has no event id of its own: event name, entity, id and occurred_at together are the de-duplication key.
 */
public class ClockodoEventReader implements EventReader {

    @Override
    public ReceivedEvent read(JsonNode body, byte[] rawBody) {
        String eventName = EventReader.requiredText(body, "event_name");
        String occurredAt = EventReader.requiredText(body, "occurred_at");
        JsonNode payload = body.get("payload");
        if (payload == null || !payload.isObject() || payload.size() != 1) {
            throw WebhookRejected.badRequest("'payload' must be an object with one entity, as {\"entry\": {\"id\": 1}}");
        }
        Iterator<Map.Entry<String, JsonNode>> fields = payload.fields();
        Map.Entry<String, JsonNode> entity = fields.next();
        JsonNode id = entity.getValue().get("id");
        if (id == null || !(id.isIntegralNumber() || id.isTextual()) || id.asText().isBlank() || id.asText().length() > 64) {
            throw WebhookRejected.badRequest("'payload." + printable(entity.getKey()) + ".id' must be a number or a short string");
        }
        String key = eventName + ":" + entity.getKey() + ":" + id.asText() + ":" + occurredAt;
        if (key.length() > MAX_ID_LENGTH) {
            throw WebhookRejected.badRequest("event_name, entity and occurred_at are too long together");
        }
        // Ordered per record: the notification names no employee before its entity is fetched.
        return new ReceivedEvent(key, eventName, null, OrderingKeys.of("clockodo", entity.getKey(), id.asText()));
    }

    private static String printable(String value) {
        String cut = value.length() > 40 ? value.substring(0, 40) : value;
        return cut.replaceAll("[^\\w.-]", "?");
    }
}
