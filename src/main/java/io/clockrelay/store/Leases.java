package io.clockrelay.store;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Claims rows of a work table (inbox, deliveries) for one worker, in one transaction: the oldest pending, due,
 * unleased rows are locked with FOR UPDATE SKIP LOCKED (rows another instance is claiming at that moment are
 * passed over, on PostgreSQL and H2 alike) and then given a claim token and a lease. Two instances never hold
 * the same row; a row whose worker died is claimable again once its lease has expired. (A single
 * UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED) did the same, but PostgreSQL could plan it to
 * re-run the subquery per row on a table without statistics yet, taking tens of seconds.)
 */
public final class Leases {

    /** Reads one claimed row; {@code token} is the claim token the rows now carry. */
    public interface RowReader<T> {
        T read(ResultSet row, String token) throws SQLException;
    }

    private Leases() {
    }

    /**
     * Claims up to {@code limit} rows of {@code table}, oldest first, and returns them read by {@code reader}
     * from {@code columns}. {@code extraCondition} narrows the candidates (alias {@code c}).
     */
    public static <T> List<T> claim(DataSource store, String table, String columns, String extraCondition, int limit,
                                    Instant now, Instant leaseUntil, RowReader<T> reader) throws SQLException {
        String token = UUID.randomUUID().toString();
        List<T> claimed = new ArrayList<>();
        List<Long> ids = new ArrayList<>();
        Transactions.run(store, connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT c.id, " + columns + " FROM " + table + " c"
                    + " WHERE c.status = 'pending' AND c.next_attempt_at <= ? AND (c.lease_until IS NULL OR c.lease_until < ?)"
                    + " AND " + extraCondition + " ORDER BY c.id LIMIT ? FOR UPDATE SKIP LOCKED")) {
                Timestamp at = Timestamp.from(now);
                select.setTimestamp(1, at);
                select.setTimestamp(2, at);
                select.setInt(3, limit);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        ids.add(rows.getLong(1));
                        claimed.add(reader.read(rows, token));
                    }
                }
            }
            if (ids.isEmpty()) {
                return;
            }
            try (PreparedStatement lease = connection.prepareStatement("UPDATE " + table + " SET claim_token = ?, lease_until = ?"
                    + " WHERE id IN (" + String.join(",", ids.stream().map(String::valueOf).toList()) + ")")) {
                lease.setString(1, token);
                lease.setTimestamp(2, Timestamp.from(leaseUntil));
                lease.executeUpdate();
            }
        });
        return claimed;
    }

    /** Ends a claim's lease on the rows still pending (at shutdown), so another instance or the next start takes them now. */
    public static void release(DataSource store, String table, String token) throws SQLException {
        if (token == null) {
            return;
        }
        try (Connection connection = store.getConnection();
             PreparedStatement release = connection.prepareStatement("UPDATE " + table + " SET claim_token = NULL, lease_until = NULL"
                     + " WHERE claim_token = ? AND status = 'pending'")) {
            release.setString(1, token);
            release.executeUpdate();
        }
    }
}
