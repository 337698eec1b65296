package io.clockrelay.store;

import com.zaxxer.hikari.SQLExceptionOverride;

import java.sql.SQLException;
import java.util.Set;

/**
 * Tells HikariCP to drop a connection whose database went away. It recognises the standard connection
 * exceptions (SQL state class 08) itself, but not H2's own codes, and would hand broken H2 connections out again
 * after the database is back.
 */
public class BrokenConnections implements SQLExceptionOverride {

    /** H2: connection broken, database closed, database closed at shutdown. */
    private static final Set<Integer> H2_BROKEN = Set.of(90067, 90098, 90121);

    @java.lang.Override
    public Override adjudicate(SQLException e) {
        for (SQLException current = e; current != null; current = current.getNextException()) {
            if (H2_BROKEN.contains(current.getErrorCode()) && String.valueOf(current.getSQLState()).startsWith("90")) {
                return Override.MUST_EVICT;
            }
        }
        return Override.CONTINUE_EVICT;
    }
}
