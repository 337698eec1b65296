package io.clockrelay.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongFunction;
import javax.sql.DataSource;

/**
 * Claims rows of a work table (inbox, deliveries) for one worker, in order: the oldest pending, due, unleased rows
 * that no earlier pending row of the same key (an employee, a record, a target's user) holds back, because it is
 * leased (by a living instance, or a dead one until its lease expires) or waits for its retry.
 *
 * <p>A claim walks the pending rows in id order, reading only their ids, keys, due times and leases, and decides in
 * Java which are candidates: a row is one when it is due and unleased and no earlier row of its keys was passed over.
 * Then it locks the candidates with FOR UPDATE SKIP LOCKED (rows another instance is claiming at that moment are
 * passed over, on PostgreSQL and H2 alike) and, in id order again, keeps those still free whose keys no passed-over
 * row holds; {@code keep} may add to them (rows it locks itself) and the claim gives them a token and a lease. Two
 * instances never hold the same row; a row whose worker died is claimable again once its lease has expired
 * ({@link LeaseKeeper} renews the leases of the living).
 *
 * <p>Why a walk, and not one query: the held-back condition written as NOT EXISTS subqueries made PostgreSQL's plan
 * depend on its statistics of the status column, which are stale after a burst (they still say "nothing pending"
 * when ten thousand rows are): its generic plan then scanned every pending row once per candidate, 130-380 ms a
 * claim. The walk's query has one plan, the store's index of pending ids in id order, whatever the statistics say.
 * (A single UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED) was also tried once: PostgreSQL could plan it
 * to re-run the subquery per row on a table without statistics yet.)
 */
public final class Leases {

    /** Reads one claimed row; {@code token} is the claim token the rows now carry. */
    public interface RowReader<T> {
        T read(ResultSet row, String token) throws SQLException;
    }

    /** Decides, in the claim's transaction and with the candidates locked, what the claim takes: them, and rows it locks itself. */
    public interface Keep<T> {
        List<T> keep(Connection connection, List<T> candidates) throws SQLException;
    }

    /** The keys that order a row, read from the walk's columns ({@link Order#columns}) starting at {@code first}. */
    public interface KeyReader {
        void read(ResultSet row, int first, Collection<String> keys) throws SQLException;
    }

    /** The columns (alias {@code c}) that hold a table's ordering keys, and how they are read as keys. */
    public record Order(String columns, KeyReader keys) {
    }

    /** The rows of a claim and its token (null when nothing was claimed). */
    public record Claim<T>(String token, List<T> rows) {
    }

    /** The walk's first page is this many times the claim's size; each next page twice the last, up to {@link #LARGEST_PAGE}. */
    private static final int FIRST_PAGE_PER_ROW = 2;
    private static final int LARGEST_PAGE = 8192;

    private Leases() {
    }

    /**
     * Claims up to {@code limit} rows of {@code table} in the order {@code order} keeps, oldest first, read by
     * {@code reader} from {@code columns} (the first selected column is {@code c.id}), for a lease of {@code leases}'
     * length. {@code condition} narrows the rows (alias {@code c}; its {@code ?} are bound to {@code parameters});
     * {@code keep} sees the candidates before they are leased.
     */
    public static <T> Claim<T> claim(DataSource store, String table, String columns, String condition, List<Object> parameters,
                                     Order order, int limit, Instant now, LeaseKeeper leases, RowReader<T> reader,
                                     ToLongFunction<T> idOf, Keep<T> keep) throws SQLException {
        String token = leases.newToken();
        Instant leaseUntil = now.plus(leases.lease());
        List<T> claimed = new ArrayList<>();
        Transactions.run(store, connection -> {
            List<T> candidates = candidates(connection, table, columns, condition, parameters, order, limit, now, reader, token, idOf);
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

    /**
     * Walks the pending rows in id order and locks, page by page, those that are due, unleased and not held back by
     * an earlier row the walk has passed, until {@code limit} are locked or no pending row is left.
     */
    private static <T> List<T> candidates(Connection connection, String table, String columns, String condition, List<Object> parameters,
                                          Order order, int limit, Instant now, RowReader<T> reader, String token,
                                          ToLongFunction<T> idOf) throws SQLException {
        Timestamp at = Timestamp.from(now);
        Set<String> held = new HashSet<>();
        List<T> locked = new ArrayList<>();
        long after = Long.MIN_VALUE;
        int page = Math.min(LARGEST_PAGE, FIRST_PAGE_PER_ROW * limit);
        try (PreparedStatement walk = connection.prepareStatement(walkStatement(table, order, condition))) {
            while (locked.size() < limit) {
                int index = 1;
                for (Object parameter : parameters) {
                    walk.setObject(index++, parameter);
                }
                walk.setLong(index++, after);
                walk.setInt(index, page);
                Map<Long, List<String>> wanted = new LinkedHashMap<>();
                int read = 0;
                boolean last = false;
                try (ResultSet rows = walk.executeQuery()) {
                    while (locked.size() + wanted.size() < limit) {
                        if (!rows.next()) {
                            last = read < page;
                            break;
                        }
                        read++;
                        after = rows.getLong(1);
                        List<String> keys = new ArrayList<>(2);
                        order.keys().read(rows, 4, keys);
                        Timestamp due = rows.getTimestamp(2);
                        Timestamp lease = rows.getTimestamp(3);
                        boolean free = !due.after(at) && (lease == null || lease.before(at));
                        if (free && keys.stream().noneMatch(held::contains)) {
                            wanted.put(after, keys);
                        } else {
                            held.addAll(keys);
                        }
                    }
                }
                if (!wanted.isEmpty()) {
                    Map<Long, T> got = lockFree(connection, table, columns, wanted.keySet(), at, reader, token, idOf);
                    // In id order: a row taken by another claim meanwhile (locked, or leased since the walk read it)
                    // holds back the later rows of its keys, also those this claim has just locked.
                    for (Map.Entry<Long, List<String>> row : wanted.entrySet()) {
                        T lockedRow = got.get(row.getKey());
                        if (lockedRow != null && row.getValue().stream().noneMatch(held::contains)) {
                            locked.add(lockedRow);
                        } else {
                            held.addAll(row.getValue());
                        }
                    }
                }
                if (last) {
                    break;
                }
                page = Math.min(LARGEST_PAGE, page * 2);
            }
        }
        return locked;
    }

    /**
     * The walk's statement: the pending rows after an id ({@code ?} after the condition's), in id order, at most
     * {@code ?} of them. Public to be planned by EXPLAIN.
     */
    public static String walkStatement(String table, Order order, String condition) {
        return "SELECT c.id, c.next_attempt_at, c.lease_until, " + order.columns() + " FROM " + table + " c WHERE c.status = 'pending' AND "
                + condition + " AND c.id > ? ORDER BY c.id LIMIT ?";
    }

    /**
     * Locks the rows of {@code ids} that nobody else is locking (SKIP LOCKED) and returns, by id, those that are
     * still pending, due and unleased as they are now, read by {@code reader} from {@code columns}. They are looked up by id alone: a condition on the status
     * lets PostgreSQL, whose statistics count next to nothing pending right after a burst, scan every pending row
     * for them instead of the primary key. The others stay locked until the claim commits, and are not taken.
     */
    public static <T> Map<Long, T> lockFree(Connection connection, String table, String columns, Collection<Long> ids, Timestamp at,
                                         RowReader<T> reader, String token, ToLongFunction<T> idOf) throws SQLException {
        Map<Long, T> rows = new HashMap<>();
        try (PreparedStatement lock = connection.prepareStatement("SELECT " + columns + ", c.status AS claim_status,"
                + " c.next_attempt_at AS claim_due, c.lease_until AS claim_lease FROM " + table + " c WHERE c.id IN ("
                + ids.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(",")) + ") FOR UPDATE SKIP LOCKED")) {
            try (ResultSet found = lock.executeQuery()) {
                while (found.next()) {
                    Timestamp lease = found.getTimestamp("claim_lease");
                    if ("pending".equals(found.getString("claim_status")) && !found.getTimestamp("claim_due").after(at)
                            && (lease == null || lease.before(at))) {
                        T row = reader.read(found, token);
                        rows.put(idOf.applyAsLong(row), row);
                    }
                }
            }
        }
        return rows;
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
