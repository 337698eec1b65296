package io.clockrelay.record;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * Turns one received webhook into zero or more canonical records. One implementation per vendor, bound in the
 * registry as {@code <source>Mapper} (for example {@code clockeyeMapper}) by the vendor's receive route file.
 */
public interface RecordMapper {

    /**
     * The records of one webhook. {@code known} tells what clockrelay last knew of a record (for a vendor whose
     * changes do not carry the whole record). Throws {@link Unmappable} for a webhook that can never be mapped as it
     * is, and any other exception (an API down) to be tried again later.
     */
    List<TimeRecord> map(SourceEvent event, JsonNode payload, KnownRecords known);

    /**
     * True for a vendor whose webhooks only name what changed (its mapper fetches the current state): of several
     * webhooks about one thing waiting together, only the newest is mapped, and serves the others (one fetch, made
     * after all of them). False (the default) where every webhook carries a change of its own.
     */
    default boolean servesNewestOnly() {
        return false;
    }

    /**
     * False while this vendor's webhooks cannot be mapped at all (its API's circuit breaker is open, its credentials
     * are missing): its stage claims none of them meanwhile, and they wait in the inbox, due, untouched.
     */
    default boolean canMapNow() {
        return true;
    }
}
