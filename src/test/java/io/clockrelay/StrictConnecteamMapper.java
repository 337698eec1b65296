package io.clockrelay;

import com.fasterxml.jackson.databind.JsonNode;
import io.clockrelay.record.KnownRecords;
import io.clockrelay.record.SourceEvent;
import io.clockrelay.record.TimeRecord;
import io.clockrelay.record.Unmappable;
import io.clockrelay.source.connecteam.ConnecteamMapper;

import java.util.List;

/**
 * Connecteam's mapper as a version that cannot map time off (it says so) and has a flaw with breaks (it throws)
 * would be (see routes-strict-mapper).
 */
public class StrictConnecteamMapper extends ConnecteamMapper {

    @Override
    public List<TimeRecord> map(SourceEvent event, JsonNode payload, KnownRecords known) {
        if ("time_off".equals(payload.path("activityType").asText())) {
            throw new Unmappable("this version cannot map time off");
        }
        if ("manual_break".equals(payload.path("activityType").asText())) {
            throw new IllegalStateException("a flaw of this version with breaks");
        }
        return super.map(event, payload, known);
    }
}
