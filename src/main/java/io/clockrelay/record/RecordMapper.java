package io.clockrelay.record;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * Turns one received webhook into zero or more canonical records. One implementation per vendor, bound in the
 * registry as {@code <source>Mapper} (for example {@code clockeyeMapper}) by the vendor's receive route file.
 */
public interface RecordMapper {

    List<TimeRecord> map(SourceEvent event, JsonNode payload);
}
