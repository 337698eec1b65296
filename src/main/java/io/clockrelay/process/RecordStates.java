package io.clockrelay.process;

import io.clockrelay.record.KnownRecord;
import io.clockrelay.record.KnownRecords;
import io.clockrelay.record.TimeRecord;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code records} table as one claim sees it: what clockrelay knew of each record before the claim, with the
 * claim's own changes merged in as they are mapped (a later webhook of the claim sees an earlier one's record), and
 * written back in the claim's transaction. Only the process stage writes it, in the order the webhooks of a record
 * are mapped; so no two claims change one record at once.
 */
final class RecordStates implements KnownRecords {

    private static final String COLUMNS = "record_id, user_id, starts_at, ends_at, duration_seconds, work_date, deleted, last_event_at, fingerprint";
    private static final String UPSERT_POSTGRESQL = "INSERT INTO records (source, entity, entity_id, " + COLUMNS + ")"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (record_id) DO UPDATE SET user_id = EXCLUDED.user_id,"
            + " starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at, duration_seconds = EXCLUDED.duration_seconds,"
            + " work_date = EXCLUDED.work_date, deleted = EXCLUDED.deleted, last_event_at = EXCLUDED.last_event_at,"
            + " fingerprint = EXCLUDED.fingerprint";
    private static final String UPSERT_H2 = "MERGE INTO records (source, entity, entity_id, " + COLUMNS + ") KEY (record_id)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private final DataSource store;
    private final boolean postgresql;
    /** Loaded or merged states, by record id; null values: looked up, not there. */
    private final Map<String, KnownRecord> known = new HashMap<>();

    RecordStates(DataSource store, String dialect) {
        this.store = store;
        this.postgresql = dialect.equals("postgresql");
    }

    @Override
    public KnownRecord get(String recordId) {
        if (!known.containsKey(recordId)) {
            load(List.of(recordId));
        }
        return known.get(recordId);
    }

    /** A mapped record merged into what is known of it; returned with the known user where it names none. */
    TimeRecord merge(TimeRecord record) {
        KnownRecord before = get(record.recordId());
        KnownRecord after = before == null ? KnownRecord.of(record) : before.merge(record);
        known.put(record.recordId(), after);
        return record.userId() == null && after.userId() != null ? record.withKnown(after.userId()) : record;
    }

    /**
     * Loads, in one query, the states of records not looked up yet: the claim's record keys, which are the record ids
     * of most webhooks, so that mapping a claim costs one query, not one a record.
     */
    void preload(Collection<String> recordIds) {
        List<String> missing = recordIds.stream().filter(id -> id != null && !known.containsKey(id)).distinct().toList();
        if (!missing.isEmpty()) {
            load(missing);
        }
    }

    /** Writes the states of these records (as merged so far), in the caller's transaction. */
    void write(Connection connection, Collection<TimeRecord> records) throws SQLException {
        if (records.isEmpty()) {
            return;
        }
        Map<String, TimeRecord> distinct = new LinkedHashMap<>();
        records.forEach(record -> distinct.put(record.recordId(), record));
        try (PreparedStatement upsert = connection.prepareStatement(postgresql ? UPSERT_POSTGRESQL : UPSERT_H2)) {
            for (TimeRecord record : distinct.values()) {
                KnownRecord state = known.get(record.recordId());
                upsert.setString(1, record.source());
                upsert.setString(2, record.entity());
                upsert.setString(3, record.entityId());
                upsert.setString(4, state.recordId());
                upsert.setString(5, state.userId());
                setInstant(upsert, 6, state.start());
                setInstant(upsert, 7, state.end());
                if (state.durationSeconds() == null) {
                    upsert.setNull(8, Types.BIGINT);
                } else {
                    upsert.setLong(8, state.durationSeconds());
                }
                upsert.setObject(9, state.workDate());
                upsert.setBoolean(10, state.deleted());
                setInstant(upsert, 11, state.lastEventAt());
                upsert.setString(12, state.fingerprint());
                upsert.addBatch();
            }
            upsert.executeBatch();
        }
    }

    private void load(List<String> recordIds) {
        for (int from = 0; from < recordIds.size(); from += 500) {
            List<String> ids = recordIds.subList(from, Math.min(recordIds.size(), from + 500));
            ids.forEach(id -> known.put(id, null));
            String marks = String.join(",", java.util.Collections.nCopies(ids.size(), "?"));
            try (Connection connection = store.getConnection();
                 PreparedStatement select = connection.prepareStatement("SELECT " + COLUMNS + " FROM records WHERE record_id IN (" + marks + ")")) {
                for (int i = 0; i < ids.size(); i++) {
                    select.setString(i + 1, ids.get(i));
                }
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        known.put(rows.getString(1), new KnownRecord(rows.getString(1), rows.getString(2), instant(rows.getTimestamp(3)),
                                instant(rows.getTimestamp(4)), rows.getObject(5, Long.class), rows.getObject(6, java.time.LocalDate.class),
                                rows.getBoolean(7), instant(rows.getTimestamp(8)), rows.getString(9)));
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException("what clockrelay knows of the records cannot be read: " + e.getMessage(), e);
            }
        }
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }

    private static void setInstant(PreparedStatement statement, int index, Instant instant) throws SQLException {
        statement.setTimestamp(index, instant == null ? null : Timestamp.from(instant));
    }
}
