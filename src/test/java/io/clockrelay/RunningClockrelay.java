package io.clockrelay;

import org.apache.camel.main.Main;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
import java.util.function.Predicate;

/**
 * The real clockrelay (application.properties, YAML routes, configuration) started in this JVM on free ports,
 * with an H2 store of its own and settings overridden the way an operator's environment would.
 */
final class RunningClockrelay implements AutoCloseable {

    static final String CLOCKEYE_SECRET = "clockeye-test-secret-0001";
    private static final Duration WAIT = Duration.ofSeconds(30);

    final int port;
    final int managementPort;
    final String storeUrl;
    private final Main main;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private RunningClockrelay(int port, int managementPort, String storeUrl, Main main) {
        this.port = port;
        this.managementPort = managementPort;
        this.storeUrl = storeUrl;
        this.main = main;
    }

    /** Started with a ClockEye secret, a fresh file store under {@code folder}, and fast polling. */
    static RunningClockrelay start(Path folder, Map<String, String> overrides) {
        Map<String, String> settings = new HashMap<>();
        settings.put("clockrelay.store.url", "jdbc:h2:file:" + folder.resolve("store").toAbsolutePath() + ";WRITE_DELAY=0");
        settings.put("clockrelay.clockeye.secrets", CLOCKEYE_SECRET);
        settings.put("clockrelay.process.poll-interval-ms", "200");
        settings.put("clockrelay.deliver.poll-interval-ms", "200");
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
            throw new IllegalStateException("clockrelay did not start", e);
        }
        return new RunningClockrelay(port, managementPort, settings.get("clockrelay.store.url"), main);
    }

    static RunningClockrelay start(Path folder) {
        return start(folder, Map.of());
    }

    HttpResponse<String> post(String path, String contentType, byte[] body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(WAIT)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return send(request.build());
    }

    /** A ClockEye webhook signed with the configured secret, as ClockEye sends it. */
    HttpResponse<String> postClockEye(String body) {
        return post("/webhooks/clockeye", "application/json", body.getBytes(StandardCharsets.UTF_8),
                "X-ClockEye-Signature", ClockEyeSignature.of(CLOCKEYE_SECRET, body));
    }

    /**
     * A request written byte for byte on a socket, for what an HTTP client library refuses to send (non-ASCII
     * header bytes, for one). Returns the status code.
     */
    int rawPost(String path, Map<String, byte[]> headers, byte[] body) {
        try (java.net.Socket socket = new java.net.Socket("localhost", port)) {
            socket.setSoTimeout((int) WAIT.toMillis());
            var out = new java.io.ByteArrayOutputStream();
            out.writeBytes(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: " + body.length + "\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            headers.forEach((name, value) -> {
                out.writeBytes((name + ": ").getBytes(StandardCharsets.ISO_8859_1));
                out.writeBytes(value);
                out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            });
            out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.writeBytes(body);
            socket.getOutputStream().write(out.toByteArray());
            String statusLine = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1)).readLine();
            return Integer.parseInt(statusLine.split(" ")[1]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    HttpResponse<String> get(int onPort, String path) {
        return send(HttpRequest.newBuilder(URI.create("http://localhost:" + onPort + path)).timeout(WAIT).GET().build());
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    List<Map<String, Object>> rows(String sql, Object... parameters) {
        return query(storeUrl, sql, parameters);
    }

    long count(String sql, Object... parameters) {
        return ((Number) rows(sql, parameters).get(0).values().iterator().next()).longValue();
    }

    /** Polls until the query returns a row that satisfies the condition; fails after 30 s. */
    Map<String, Object> awaitRow(Predicate<Map<String, Object>> condition, String sql, Object... parameters) {
        Instant deadline = Instant.now().plus(WAIT);
        List<Map<String, Object>> last = List.of();
        while (Instant.now().isBefore(deadline)) {
            last = rows(sql, parameters);
            for (Map<String, Object> row : last) {
                if (condition.test(row)) {
                    return row;
                }
            }
            pause();
        }
        throw new AssertionError("no row matched within " + WAIT.toSeconds() + " s; last rows of '" + sql + "': " + last);
    }

    Map<String, Object> awaitRow(String sql, Object... parameters) {
        return awaitRow(row -> true, sql, parameters);
    }

    /** Waits until every received webhook is processed and every delivery has left the pending state. */
    void awaitIdle() {
        awaitRow(row -> ((Number) row.get("PENDING")).longValue() == 0,
                "SELECT (SELECT COUNT(*) FROM inbox WHERE status = 'pending') + (SELECT COUNT(*) FROM deliveries WHERE status = 'pending') AS pending");
    }

    static List<Map<String, Object>> query(String url, String sql, Object... parameters) {
        try (Connection connection = DriverManager.getConnection(url, "sa", "");
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

    private static void pause() {
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
