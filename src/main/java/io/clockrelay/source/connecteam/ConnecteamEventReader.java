package io.clockrelay.source.connecteam;

import com.fasterxml.jackson.databind.JsonNode;
import io.clockrelay.webhook.EventReader;
import io.clockrelay.webhook.OrderingKeys;
import io.clockrelay.webhook.ReceivedEvent;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import static io.clockrelay.record.Fields.text;

/**
 * Connecteam's event id is {@code requestId}. The flat time-activity payloads of its document have none: their
 * id is a digest of the raw body, which a retry of the same request repeats. The webhook is ordered by the
 * employee it names and by the activity (or the one record) it changes.
 */
public class ConnecteamEventReader implements EventReader {

    private static final String SOURCE = "connecteam";

    @Override
    public ReceivedEvent read(JsonNode body, byte[] rawBody) {
        String eventType = EventReader.requiredText(body, "eventType");
        JsonNode requestId = body.get("requestId");
        String eventId = requestId == null || requestId.isNull() ? "sha256:" + sha256(rawBody) : EventReader.requiredText(body, "requestId");
        ConnecteamPayload payload = new ConnecteamPayload(body);
        return new ReceivedEvent(eventId, eventType, OrderingKeys.employee(SOURCE, payload.soleUserId()),
                payload.soleSubject() == null ? null : OrderingKeys.of(SOURCE, payload.soleSubject()[0], payload.soleSubject()[1]));
    }

    private static String sha256(byte[] rawBody) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(rawBody));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }
}
