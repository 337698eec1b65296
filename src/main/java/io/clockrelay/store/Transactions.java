package io.clockrelay.store;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;

/** Runs work in one transaction of a pooled connection: committed when it returns, rolled back when it throws. */
public final class Transactions {

    public interface Work {
        void run(Connection connection) throws SQLException;
    }

    private Transactions() {
    }

    public static void run(DataSource dataSource, Work work) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                work.run(connection);
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }
}
