package io.clockrelay.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;

/**
 * Claims rows of a work table (inbox, deliveries) for one worker: rows that are pending, due and not leased get a
 * fresh claim token and a lease. Candidates another instance is claiming at the same moment are skipped (FOR
 * UPDATE SKIP LOCKED, on PostgreSQL and H2 alike) and the UPDATE re-checks each row, so two instances never hold
 * the same row; a row whose worker died is claimable again once its lease has expired.
 */
public final class Leases {

    private Leases() {
    }

    /**
     * Leases up to {@code limit} due rows of {@code table}, oldest first, and returns the claim token they now carry.
     * {@code extraCondition} narrows the candidates (alias {@code c}); each {@code ?} in it is bound to now.
     */
    public static String claim(Connection connection, String table, String extraCondition, int limit, Instant now, Instant leaseUntil)
            throws SQLException {
        String token = UUID.randomUUID().toString();
        int extraParameters = (int) extraCondition.chars().filter(c -> c == '?').count();
        String sql = "UPDATE " + table + " SET claim_token = ?, lease_until = ?"
                + " WHERE id IN (SELECT c.id FROM " + table + " c WHERE " + free("c.") + " AND " + extraCondition
                + " ORDER BY c.id LIMIT ? FOR UPDATE SKIP LOCKED)"
                + " AND " + free("");
        try (PreparedStatement update = connection.prepareStatement(sql)) {
            Timestamp at = Timestamp.from(now);
            int i = 1;
            update.setString(i++, token);
            update.setTimestamp(i++, Timestamp.from(leaseUntil));
            update.setTimestamp(i++, at);
            update.setTimestamp(i++, at);
            for (int n = 0; n < extraParameters; n++) {
                update.setTimestamp(i++, at);
            }
            update.setInt(i++, limit);
            update.setTimestamp(i++, at);
            update.setTimestamp(i, at);
            update.executeUpdate();
        }
        return token;
    }

    private static String free(String alias) {
        return alias + "status = 'pending' AND " + alias + "next_attempt_at <= ?"
                + " AND (" + alias + "lease_until IS NULL OR " + alias + "lease_until < ?)";
    }
}
