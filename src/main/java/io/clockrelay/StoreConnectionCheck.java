package io.clockrelay;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Opens one connection to the store database before anything is built, so that a database that does not exist, a
 * host where none answers or refused credentials stop the start with one line naming the setting and the fix, not
 * with the pool's stack trace. A line never holds the password, nor the URL's parameters (they may carry one).
 */
final class StoreConnectionCheck {

    /** PostgreSQL: the database named in the URL does not exist. */
    private static final String NO_SUCH_DATABASE = "3D000";
    /** H2: the file is open in another process. */
    private static final int H2_IN_USE = 90020;
    private static final int CONNECT_TIMEOUT_SECONDS = 10;
    private static final Pattern PLAIN_NAME = Pattern.compile("[a-z_][a-z0-9_]*");
    private static final Pattern H2_SERVER = Pattern.compile("jdbc:h2:(?:tcp|ssl)://([^/;?]+)/([^;?]*).*");

    private final String urlSetting;
    private final String userSetting;
    private final String passwordSetting;

    StoreConnectionCheck(String urlSetting, String userSetting, String passwordSetting) {
        this.urlSetting = urlSetting;
        this.userSetting = userSetting;
        this.passwordSetting = passwordSetting;
    }

    /** Null when a connection opens; otherwise what is wrong and what to do, in one line. */
    String problem(String url, String user, String password) {
        Properties login = new Properties();
        login.setProperty("user", user);
        login.setProperty("password", password);
        if (url.startsWith("jdbc:postgresql:")) {
            // A bound for a host that drops packets; the URL's own connectTimeout still wins.
            login.setProperty("connectTimeout", String.valueOf(CONNECT_TIMEOUT_SECONDS));
        }
        try (Connection ignored = DriverManager.getConnection(url, login)) {
            return null;
        } catch (SQLException refused) {
            return explain(refused, Address.of(url), user);
        }
    }

    private String explain(SQLException refused, Address address, String user) {
        String state = String.valueOf(refused.getSQLState());
        if (state.equals(NO_SUCH_DATABASE)) {
            String name = identifier(address.database());
            String owner = user.isEmpty() ? "" : " OWNER " + identifier(user);
            return urlSetting + " names the database " + address.database() + ", which does not exist on " + address.server()
                    + ": create it (" + address.createdb(user) + ", or in SQL: CREATE DATABASE " + name + owner
                    + ";) or name one that exists";
        }
        if (state.startsWith("28")) {
            return userSetting + " and " + passwordSetting + " are refused by the store database on " + address.server()
                    + " (user '" + user + "', SQL state " + state + "): set a user and password it accepts";
        }
        if (refused.getErrorCode() == H2_IN_USE) {
            return urlSetting + " is the H2 database " + address.database() + ", which another process has open (another"
                    + " clockrelay?): stop that one, or give this one a file of its own";
        }
        Throwable network = networkCause(refused);
        if (network instanceof UnknownHostException) {
            return urlSetting + " names the host " + address.host() + ", which cannot be resolved: correct the host";
        }
        if (network instanceof SocketTimeoutException) {
            return urlSetting + " points at " + address.server() + ", which did not answer within " + CONNECT_TIMEOUT_SECONDS
                    + " s: check the host, the port and the firewall between them";
        }
        if (network != null) {
            return urlSetting + " points at " + address.server() + ", where no database answers ("
                    + (network instanceof NoRouteToHostException ? "no route to host" : "connection refused")
                    + "): start the database, or correct the host and port";
        }
        // Not the driver's message: H2's repeat the URL, settings and all.
        String failure = "SQL state " + state + ", error " + refused.getErrorCode() + ", " + refused.getClass().getSimpleName();
        if (state.startsWith("08")) {
            return urlSetting + " points at " + address.server() + ", where the connection failed (" + failure
                    + "): check that the database listens there, and the URL's settings";
        }
        return urlSetting + " names a store database that cannot be opened (" + failure + "): check the URL, the user and the database's log";
    }

    private static Throwable networkCause(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConnectException || cause instanceof UnknownHostException || cause instanceof SocketTimeoutException
                    || cause instanceof NoRouteToHostException) {
                return cause;
            }
        }
        return null;
    }

    /** A name as SQL takes it: bare when it is plain, quoted otherwise. */
    private static String identifier(String name) {
        return PLAIN_NAME.matcher(name).matches() ? name : "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /** Where a store URL points, for messages: its server (empty for an H2 file) and database, never its parameters. */
    private record Address(String host, String port, String database) {

        static Address of(String url) {
            Properties postgres = url.startsWith("jdbc:postgresql:") ? org.postgresql.Driver.parseURL(url, null) : null;
            if (postgres != null) {
                return new Address(postgres.getProperty("PGHOST", "localhost"), postgres.getProperty("PGPORT", "5432"),
                        postgres.getProperty("PGDBNAME", ""));
            }
            Matcher server = H2_SERVER.matcher(url);
            if (server.matches()) {
                String[] hostPort = server.group(1).split(":", 2);
                return new Address(hostPort[0], hostPort.length > 1 ? hostPort[1] : "9092", server.group(2));
            }
            String file = url.split("[;?]", 2)[0].replaceFirst("^jdbc:h2:(file:)?", "");
            return new Address("", "", file);
        }

        String server() {
            return host.isEmpty() ? "this machine" : host + ":" + port;
        }

        String createdb(String user) {
            return "createdb" + (host.isEmpty() ? "" : " -h " + host + " -p " + port) + (user.isEmpty() ? "" : " -O " + user) + " " + database;
        }
    }
}
