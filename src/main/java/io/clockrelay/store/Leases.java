package io.clockrelay.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;
import javax.sql.DataSource;

/**
 * Claims rows of a work table (inbox, deliveries) for one worker, in one transaction: the oldest pending, due,
 * unleased rows are locked with FOR UPDATE SKIP LOCKED (rows another instance is claiming at that moment are
 * passed over, on PostgreSQL and H2 alike) and then given a claim token and a lease. Two instances never hold
 * the same row; a row whose worker died is claimable again once its lease has expired ({@link LeaseKeeper} renews
 * the leases of the living). (A single UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED) did the same,
 * but PostgreSQL could plan it to re-run the subquery per row on a table without statistics yet, taking tens of
 * seconds.)
 */
public final class Leases {

    /** Reads one claimed row; {@code token} is the claim token the rows now carry. */
    public interface RowReader<T> {
        T read(ResultSet row, String token) throws SQLException;
    }

    /** Decides, in the claim's transaction and with the candidates locked, which of them the claim keeps. */
    public interface Keep<T> {
        List<T> keep(Connection connection, List<T> candidates) throws SQLException;
    }

    /** The rows of a claim and its token (null when nothing was claimed). */
    public record Claim<T>(String token, List<T> rows) {
    }

    private Leases() {
    }

    /**
     * Claims up to {@code limit} rows of {@code table}, oldest first, read by {@code reader} from {@code columns}
     * (the first selected column is {@code c.id}), for a lease of {@code leases}' length. {@code extraCondition}
     * narrows the candidates (alias {@code c}; its {@code ?} are bound to {@code extraParameters}); {@code keep} may
     * drop candidates before they are leased.
     */
    public static <T> Claim<T> claim(DataSource store, String table, String columns, String extraCondition, List<Object> extraParameters,
                                     int limit, Instant now, LeaseKeeper leases, RowReader<T> reader, ToLongFunction<T> idOf,
                                     Keep<T> keep) throws SQLException {
        String token = leases.newToken();
        Instant leaseUntil = now.plus(leases.lease());
        List<T> claimed = new ArrayList<>();
        Transactions.run(store, connection -> {
            List<T> candidates = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement("SELECT " + columns + " FROM " + table + " c"
                    + " WHERE c.status = 'pending' AND c.next_attempt_at <= ? AND (c.lease_until IS NULL OR c.lease_until < ?)"
                    + " AND " + extraCondition + " ORDER BY c.id LIMIT ? FOR UPDATE SKIP LOCKED")) {
                Timestamp at = Timestamp.from(now);
                int index = 1;
                select.setTimestamp(index++, at);
                select.setTimestamp(index++, at);
                for (Object parameter : extraParameters) {
                    select.setObject(index++, parameter);
                }
                select.setInt(index, limit);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        candidates.add(reader.read(rows, token));
                    }
                }
            }
            claimed.addAll(candidates.isEmpty() ? candidates : keep.keep(connection, candidates));
            if (claimed.isEmpty()) {
                return;
            }
            try (PreparedStatement lease = connection.prepareStatement("UPDATE " + table + " SET claim_token = ?, lease_until = ?"
                    + " WHERE id IN (" + ids(claimed, idOf) + ")")) {
                lease.setString(1, token);
                lease.setTimestamp(2, Timestamp.from(leaseUntil));
                lease.executeUpdate();
            }
        });
        return new Claim<>(claimed.isEmpty() ? null : token, claimed);
    }

    /** Every candidate is kept. */
    public static <T> Keep<T> all() {
        return (connection, candidates) -> candidates;
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

    private static <T> String ids(List<T> rows, ToLongFunction<T> idOf) {
        StringBuilder ids = new StringBuilder();
        for (T row : rows) {
            if (ids.length() > 0) {
                ids.append(',');
            }
            ids.append(idOf.applyAsLong(row));
        }
        return ids.toString();
    }
}
