package io.clockrelay.source.connecteam;

import com.fasterxml.jackson.databind.JsonNode;
import io.clockrelay.record.Fingerprints;
import io.clockrelay.webhook.EventReader;
import io.clockrelay.webhook.OrderingKeys;
import io.clockrelay.webhook.ReceivedEvent;

import static io.clockrelay.record.Fields.text;

/**
 * Connecteam's event id is {@code requestId}. The flat time-activity payloads of its document have none: their id is
 * {@code sha256:<digest of the raw body>}, with {@code @<eventTimestamp>} when the payload has one, which a retry of
 * the same request repeats. The same body after another webhook about the same activity is a new change (an edit A,
 * then B, then A again): the inbox tells the two apart ({@link ReceivedEvent#idFromContent()}). The webhook is
 * ordered by the employee it names and by the activity (or the one record) it changes.
 */
public class ConnecteamEventReader implements EventReader {

    private static final String SOURCE = "connecteam";

    @Override
    public ReceivedEvent read(JsonNode body, byte[] rawBody) {
        String eventType = EventReader.requiredText(body, "eventType");
        JsonNode requestId = body.get("requestId");
        boolean idFromContent = requestId == null || requestId.isNull();
        String eventId = idFromContent ? digestId(body, rawBody) : EventReader.requiredText(body, "requestId");
        ConnecteamPayload payload = new ConnecteamPayload(body);
        return new ReceivedEvent(eventId, eventType, OrderingKeys.employee(SOURCE, payload.soleUserId()),
                payload.soleSubject() == null ? null : OrderingKeys.of(SOURCE, payload.soleSubject()[0], payload.soleSubject()[1]),
                idFromContent);
    }

    private static String digestId(JsonNode body, byte[] rawBody) {
        String timestamp = text(body.has("eventTimestamp") ? body.get("eventTimestamp") : body.get("evnetTimestamp"));
        String id = "sha256:" + Fingerprints.sha256(rawBody);
        return timestamp != null && timestamp.matches("[0-9]{1,19}") ? id + "@" + timestamp : id;
    }
}
