package io.clockrelay.store;

import org.apache.camel.Exchange;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * A list an operator asks for on the management port (dead letters, failed webhooks): the method checked, filters
 * from the query parameters added as bound conditions, a bounded number of rows (100 unless limit says otherwise,
 * 1,000 at most), oldest first. A bad parameter becomes a 400 with a message saying what is expected.
 */
public final class OperatorQuery {

    public interface RowWriter {
        void write(ResultSet row) throws Exception;
    }

    private final Exchange exchange;
    private final StringBuilder sql;
    private final List<Object> parameters = new ArrayList<>();
    private String refusal;

    private OperatorQuery(Exchange exchange, String select) {
        this.exchange = exchange;
        this.sql = new StringBuilder(select);
    }

    /** The query, or null (and 405 set) when the request's method is not {@code method}. */
    public static OperatorQuery of(Exchange exchange, String method, String select) {
        return requireMethod(exchange, method) ? new OperatorQuery(exchange, select) : null;
    }

    /** Adds {@code column = value} when the value is given. */
    public boolean equal(String column, String value) {
        if (value != null) {
            sql.append(" AND ").append(column).append(" = ?");
            parameters.add(value);
        }
        return true;
    }

    /** Adds {@code since <= column < until} for the bounds given (ISO-8601 instants); false (and 400 set) when one is unreadable. */
    public boolean between(String column, String since, String until) {
        try {
            if (since != null) {
                Timestamp from = Timestamp.from(Instant.parse(since.trim()));
                sql.append(" AND ").append(column).append(" >= ?");
                parameters.add(from);
            }
            if (until != null) {
                Timestamp to = Timestamp.from(Instant.parse(until.trim()));
                sql.append(" AND ").append(column).append(" < ?");
                parameters.add(to);
            }
            return true;
        } catch (DateTimeParseException e) {
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 400);
            refusal = error("since and until are ISO-8601 instants, as 2024-01-15T00:00:00Z");
            return false;
        }
    }

    /** The answer when a filter was refused. */
    public String refusal() {
        return refusal;
    }

    /** Runs the query, oldest first, and hands each row to the writer. */
    public void rows(DataSource store, String limit, RowWriter writer) throws Exception {
        int rows;
        try {
            rows = limit == null ? 100 : Math.max(1, Math.min(1000, Integer.parseInt(limit.trim())));
        } catch (NumberFormatException e) {
            rows = 100;
        }
        sql.append(" ORDER BY id LIMIT ").append(rows);
        try (Connection connection = store.getConnection(); PreparedStatement select = connection.prepareStatement(sql.toString())) {
            for (int i = 0; i < parameters.size(); i++) {
                select.setObject(i + 1, parameters.get(i));
            }
            try (ResultSet result = select.executeQuery()) {
                while (result.next()) {
                    writer.write(result);
                }
            }
        }
    }

    /** True when the request's method is {@code method}; else 405 is set. */
    public static boolean requireMethod(Exchange exchange, String method) {
        if (method.equals(exchange.getMessage().getHeader(Exchange.HTTP_METHOD, String.class))) {
            return true;
        }
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 405);
        return false;
    }

    public static String error(String message) {
        return "{\"error\":\"" + message.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
    }
}
