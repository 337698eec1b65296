package io.clockrelay.source.clockodo;

import com.fasterxml.jackson.databind.JsonNode;
import io.clockrelay.webhook.EventReader;
import io.clockrelay.webhook.OrderingKeys;
import io.clockrelay.webhook.ReceivedEvent;
import io.clockrelay.webhook.WebhookRejected;

import java.util.Iterator;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Clockodo's notification {@code {subscription_id, company_id, occurred_at, event_name, payload: {<entity>: {id}}, token}}
 * has no event id of its own: event name, entity, id and occurred_at together are the de-duplication key. Clockodo's
 * ids are integers: anything else is refused here, so that no id but digits ever reaches an API path.
 * {@code project.budget_notification} carries its own payload {@code {id, type, threshold}}.
 */
public class ClockodoEventReader implements EventReader {

    static final String BUDGET_NOTIFICATION = "project.budget_notification";
    /** An id as Clockodo sends it: a positive integer, as a JSON number or a string of digits. */
    private static final Pattern INTEGER = Pattern.compile("[0-9]{1,18}");

    @Override
    public ReceivedEvent read(JsonNode body, byte[] rawBody) {
        String eventName = EventReader.requiredText(body, "event_name");
        String occurredAt = EventReader.requiredText(body, "occurred_at");
        JsonNode payload = body.get("payload");
        if (payload == null || !payload.isObject()) {
            throw WebhookRejected.badRequest("'payload' must be an object, as {\"entry\": {\"id\": 1}}");
        }
        String kind;
        String id;
        if (eventName.equals(BUDGET_NOTIFICATION)) {
            kind = "project_budget";
            id = integerId(payload.get("id"), "payload.id");
        } else {
            if (payload.size() != 1) {
                throw WebhookRejected.badRequest("'payload' must hold one entity, as {\"entry\": {\"id\": 1}}");
            }
            Iterator<Map.Entry<String, JsonNode>> fields = payload.fields();
            Map.Entry<String, JsonNode> entity = fields.next();
            kind = entity.getKey();
            if (!kind.matches("[a-z_]{1,40}")) {
                throw WebhookRejected.badRequest("'payload' names an entity that is no Clockodo entity name");
            }
            id = integerId(entity.getValue().get("id"), "payload." + kind + ".id");
        }
        String key = eventName + ":" + kind.replace("project_budget", "project") + ":" + id + ":" + occurredAt;
        if (key.length() > MAX_ID_LENGTH) {
            throw WebhookRejected.badRequest("event_name and occurred_at are too long together");
        }
        // Ordered per record: the notification names no employee before its entity is fetched.
        return new ReceivedEvent(key, eventName, null, OrderingKeys.of("clockodo", kind, id));
    }

    private static String integerId(JsonNode id, String path) {
        if (id == null || !(id.isIntegralNumber() && id.canConvertToLong() && id.asLong() >= 0 || id.isTextual())
                || !INTEGER.matcher(id.asText()).matches()) {
            throw WebhookRejected.badRequest("'" + path + "' must be a Clockodo id: an integer, as a number or a string of digits");
        }
        return String.valueOf(Long.parseLong(id.asText()));
    }
}
