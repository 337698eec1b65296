package io.clockrelay;

import org.apache.camel.main.Main;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.function.Predicate;

/**
 * The real clockrelay (application.properties, YAML routes, configuration) started in this JVM on free ports,
 * with an H2 store of its own and settings overridden the way an operator's environment would.
 */
final class RunningClockrelay implements AutoCloseable {

    static final String CLOCKEYE_SECRET = "clockeye-test-secret-0001";
    static final Duration WAIT = Duration.ofSeconds(30);

    final int port;
    final int managementPort;
    final String storeUrl;
    final String storeUser;
    private final Main main;
    private final WebhookClient client;

    private RunningClockrelay(int port, int managementPort, String storeUrl, String storeUser, Main main) {
        this.port = port;
        this.managementPort = managementPort;
        this.storeUrl = storeUrl;
        this.storeUser = storeUser;
        this.main = main;
        this.client = new WebhookClient(port);
    }

    /** Started with a ClockEye secret, a fresh file store under {@code folder}, and fast polling. */
    static RunningClockrelay start(Path folder, Map<String, String> overrides) {
        Map<String, String> settings = new HashMap<>();
        settings.put("clockrelay.store.url", "jdbc:h2:file:" + folder.resolve("store").toAbsolutePath() + ";WRITE_DELAY=0");
        settings.put("clockrelay.store.user", "sa");
        settings.put("clockrelay.clockeye.secrets", CLOCKEYE_SECRET);
        settings.put("clockrelay.process.poll-interval-ms", "200");
        settings.put("clockrelay.deliver.poll-interval-ms", "200");
        // No scheduled reconciliation unless a test asks for one (ReconciliationTest runs them itself).
        settings.put("clockrelay.reconcile.first-check-ms", "3600000");
        settings.putAll(overrides);
        int port = freePort();
        int managementPort = freePort();
        settings.put("camel.server.port", String.valueOf(port));
        settings.put("camel.management.port", String.valueOf(managementPort));
        Main main = io.clockrelay.Main.create();
        settings.forEach(main::addOverrideProperty);
        try {
            main.start();
        } catch (Exception e) {
            main.stop();
            throw new IllegalStateException("clockrelay did not start", e);
        }
        return new RunningClockrelay(port, managementPort, settings.get("clockrelay.store.url"), settings.get("clockrelay.store.user"), main);
    }

    static RunningClockrelay start(Path folder) {
        return start(folder, Map.of());
    }

    HttpResponse<String> post(String path, String contentType, byte[] body, String... headers) {
        return client.post(path, contentType, body, headers);
    }

    HttpResponse<String> postClockEye(String body) {
        return client.postClockEye(body);
    }

    int rawPost(String path, Map<String, byte[]> headers, byte[] body) {
        return client.rawPost(path, headers, body);
    }

    /** A POST to an operator action on the management port, with the admin token. */
    HttpResponse<String> post(int onPort, String path, String adminToken) {
        return new WebhookClient(onPort).post(path, null, new byte[0], "Authorization", "Bearer " + adminToken);
    }

    HttpResponse<String> get(int onPort, String path, String... headers) {
        return new WebhookClient(onPort).get(path, headers);
    }

    /** The value of one Prometheus series on /observe/metrics whose labels include these; empty if there is none. */
    OptionalDouble metric(String name, Map<String, String> labels) {
        return metric(get(managementPort, "/observe/metrics").body(), name, labels);
    }

    static OptionalDouble metric(String page, String name, Map<String, String> labels) {
        Pattern series = Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*})? (\\S+)$");
        return page.lines().map(series::matcher).filter(Matcher::matches)
                .filter(line -> labels.entrySet().stream().allMatch(label ->
                        (line.group(1) == null ? "" : line.group(1)).contains(label.getKey() + "=\"" + label.getValue() + "\"")))
                .mapToDouble(line -> Double.parseDouble(line.group(2))).findFirst();
    }

    /** Polls a management path until it answers the status; fails after 30 s. */
    void awaitHealth(int status) {
        Instant deadline = Instant.now().plus(WAIT);
        int last = -1;
        while (Instant.now().isBefore(deadline)) {
            last = get(managementPort, "/observe/health").statusCode();
            if (last == status) {
                return;
            }
            pause();
        }
        throw new AssertionError("/observe/health answered " + last + ", not " + status + ", for " + WAIT.toSeconds() + " s");
    }

    List<Map<String, Object>> rows(String sql, Object... parameters) {
        return query(storeUrl, storeUser, sql, parameters);
    }

    long count(String sql, Object... parameters) {
        return ((Number) rows(sql, parameters).get(0).values().iterator().next()).longValue();
    }

    /** Polls until the query returns a row that satisfies the condition; fails after 30 s. */
    Map<String, Object> awaitRow(Predicate<Map<String, Object>> condition, String sql, Object... parameters) {
        return awaitRow(storeUrl, storeUser, condition, sql, parameters);
    }

    static Map<String, Object> awaitRow(String url, String user, Predicate<Map<String, Object>> condition, String sql, Object... parameters) {
        return awaitRow(WAIT, url, user, condition, sql, parameters);
    }

    /** Polls until the query returns a row; fails after {@code limit}. */
    Map<String, Object> awaitRowWithin(Duration limit, String sql, Object... parameters) {
        return awaitRow(limit, storeUrl, storeUser, row -> true, sql, parameters);
    }

    static Map<String, Object> awaitRow(Duration limit, String url, String user, Predicate<Map<String, Object>> condition, String sql,
                                        Object... parameters) {
        Instant deadline = Instant.now().plus(limit);
        List<Map<String, Object>> last = List.of();
        while (Instant.now().isBefore(deadline)) {
            last = query(url, user, sql, parameters);
            for (Map<String, Object> row : last) {
                if (condition.test(row)) {
                    return row;
                }
            }
            pause();
        }
        throw new AssertionError("no row matched within " + limit.toMillis() / 1000.0 + " s; last rows of '" + sql + "': " + last);
    }

    Map<String, Object> awaitRow(String sql, Object... parameters) {
        return awaitRow(row -> true, sql, parameters);
    }

    /** Waits until every received webhook is processed and every delivery has left the pending state. */
    void awaitIdle() {
        awaitRow(row -> ((Number) row.get("PENDING")).longValue() == 0,
                "SELECT (SELECT COUNT(*) FROM inbox WHERE status = 'pending') + (SELECT COUNT(*) FROM deliveries WHERE status = 'pending') AS pending");
    }

    static List<Map<String, Object>> query(String url, String user, String sql, Object... parameters) {
        try (Connection connection = DriverManager.getConnection(url, user, "");
             PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            if (!statement.execute()) {
                return List.of();
            }
            try (ResultSet results = statement.getResultSet()) {
                ResultSetMetaData meta = results.getMetaData();
                List<Map<String, Object>> rows = new ArrayList<>();
                while (results.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int c = 1; c <= meta.getColumnCount(); c++) {
                        row.put(meta.getColumnLabel(c).toUpperCase(), results.getObject(c));
                    }
                    rows.add(row);
                }
                return rows;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** A timestamp column as an instant, whichever type the driver returns for it. */
    static Instant instant(Object column) {
        if (column instanceof java.time.OffsetDateTime offsetDateTime) {
            return offsetDateTime.toInstant();
        }
        return ((java.sql.Timestamp) column).toInstant();
    }

    /** The same webhook sent by many clients at once: exactly one is accepted, every other is a duplicate. */
    static void sameEventAtOnceIsAcceptedOnce(RunningClockrelay app, String eventId) throws Exception {
        String body = "{\"id\":\"" + eventId + "\",\"type\":\"time_entry.created\",\"created_at\":\"2024-01-15T10:30:00Z\","
                + "\"data\":{\"id\":\"te_" + eventId + "\",\"user_id\":\"usr_1\",\"start_time\":\"2024-01-15T09:00:00Z\",\"duration\":60}}";
        java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(16);
        try {
            java.util.List<java.util.concurrent.Future<String>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 32; i++) {
                answers.add(clients.submit(() -> app.postClockEye(body).body()));
            }
            java.util.List<String> bodies = new java.util.ArrayList<>();
            for (java.util.concurrent.Future<String> answer : answers) {
                bodies.add(answer.get());
            }
            org.assertj.core.api.Assertions.assertThat(bodies).filteredOn("{\"status\":\"accepted\"}"::equals).hasSize(1);
            org.assertj.core.api.Assertions.assertThat(bodies).filteredOn("{\"status\":\"duplicate\"}"::equals).hasSize(31);
            org.assertj.core.api.Assertions.assertThat(app.count("SELECT COUNT(*) FROM inbox WHERE event_id = ?", eventId)).isEqualTo(1);
        } finally {
            clients.shutdown();
        }
    }

    static String fixture(String vendor, String name) {
        try {
            return Files.readString(Path.of("src/test/resources/fixtures", vendor, name + ".json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        main.stop();
    }
}
