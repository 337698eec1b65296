package io.clockrelay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/** Sends webhooks to a clockrelay listening on a local port, as the vendors do. */
final class WebhookClient {

    private final int port;
    // HTTP/1.1, as vendors send: the JDK client's h2c upgrade (its default) was seen to hang a request now and then.
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    WebhookClient(int port) {
        this.port = port;
    }

    HttpResponse<String> post(String path, String contentType, byte[] body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(RunningClockrelay.WAIT)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return send(request.build());
    }

    /** A ClockEye webhook signed with the test secret, as ClockEye sends it. */
    HttpResponse<String> postClockEye(String body) {
        return post("/webhooks/clockeye", "application/json", body.getBytes(StandardCharsets.UTF_8),
                "X-ClockEye-Signature", ClockEyeSignature.of(RunningClockrelay.CLOCKEYE_SECRET, body));
    }

    /**
     * A request written byte for byte on a socket, for what an HTTP client library refuses to send (non-ASCII
     * header bytes, for one). Returns the status code.
     */
    int rawPost(String path, Map<String, byte[]> headers, byte[] body) {
        try (java.net.Socket socket = new java.net.Socket("localhost", port)) {
            socket.setSoTimeout((int) RunningClockrelay.WAIT.toMillis());
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

    HttpResponse<String> get(String path, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).timeout(RunningClockrelay.WAIT).GET();
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return send(request.build());
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            try {
                return http.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (IOException closedBeforeAnyAnswer) {
                // A pooled connection the server had just closed (after a refusal it closes the connection): not a
                // byte of this request was answered or processed, so, as any sender would, once more on a new one.
                if (!String.valueOf(closedBeforeAnyAnswer.getMessage()).contains("received no bytes")) {
                    throw closedBeforeAnyAnswer;
                }
                return http.send(request, HttpResponse.BodyHandlers.ofString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
