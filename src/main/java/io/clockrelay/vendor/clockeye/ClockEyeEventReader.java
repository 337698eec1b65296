package io.clockrelay.vendor.clockeye;

import com.fasterxml.jackson.databind.JsonNode;
import io.clockrelay.webhook.EventReader;
import io.clockrelay.webhook.ReceivedEvent;

/** ClockEye's envelope {@code {id, type, created_at, data}}: the event id is {@code id}. */
public class ClockEyeEventReader implements EventReader {

    @Override
    public ReceivedEvent read(JsonNode body, byte[] rawBody) {
        return new ReceivedEvent(EventReader.requiredText(body, "id"), EventReader.requiredText(body, "type"));
    }
}
