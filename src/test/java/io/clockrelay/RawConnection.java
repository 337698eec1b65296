package io.clockrelay;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One HTTP/1.1 connection written byte for byte, for what a client library does not do: a head without its body,
 * a body sent in chunks or a byte at a time, an answer read while the body is still unsent.
 */
final class RawConnection implements AutoCloseable {

    /** An answer: status, headers (names in lower case) and body. */
    record Answer(int status, Map<String, String> headers, String body) {
    }

    private final Socket socket;
    private final InputStream in;

    RawConnection(int port) {
        try {
            socket = new Socket("localhost", port);
            socket.setSoTimeout((int) RunningClockrelay.WAIT.toMillis());
            in = socket.getInputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A POST head with the given headers ("Name: value" each), without its body. */
    RawConnection head(String path, String... headers) {
        StringBuilder head = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: localhost\r\n");
        for (String header : headers) {
            head.append(header).append("\r\n");
        }
        return send(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    RawConnection send(byte[] bytes) {
        try {
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Like {@link #send}, but false where the server has closed the connection already. */
    boolean trySend(byte[] bytes) {
        try {
            send(bytes);
            return true;
        } catch (UncheckedIOException closed) {
            return false;
        }
    }

    /** Reads an answer (a body of Content-Length bytes), waiting at most {@code within}; fails if none comes. */
    Answer answer(Duration within) {
        try {
            socket.setSoTimeout((int) within.toMillis());
            String statusLine = line();
            Map<String, String> headers = new TreeMap<>();
            for (String line = line(); !line.isEmpty(); line = line()) {
                int colon = line.indexOf(':');
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                for (int size = Integer.parseInt(line().trim(), 16); size > 0; size = Integer.parseInt(line().trim(), 16)) {
                    body.write(in.readNBytes(size));
                    line();
                }
                line();
            } else {
                body.write(in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0"))));
            }
            return new Answer(Integer.parseInt(statusLine.split(" ")[1]), headers, body.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("no answer within " + within.toMillis() + " ms", e);
        }
    }

    Answer answer() {
        return answer(RunningClockrelay.WAIT);
    }

    /** Whether the server closes the connection within {@code within}, whatever else it sends first. */
    boolean closedWithin(Duration within) {
        try {
            socket.setSoTimeout((int) within.toMillis());
            while (in.read() >= 0) {
                // what comes before the end does not matter here
            }
            return true;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("the connection was closed after " + line.size() + " bytes of a line");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closed either way
        }
    }
}
