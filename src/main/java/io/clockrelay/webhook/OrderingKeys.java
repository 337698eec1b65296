package io.clockrelay.webhook;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The ordering keys of inbox rows, in the form the records use ({@code <source>:user:<id>}, {@code <source>:<entity>:<id>}).
 * A key only has to be equal for webhooks about the same thing, so an id too long for the column is replaced by its
 * digest: any id a vendor signs can be stored.
 */
public final class OrderingKeys {

    static final int MAX_LENGTH = 200;

    private OrderingKeys() {
    }

    /** The key of an employee of a source, or null when the id is unknown. */
    public static String employee(String source, String userId) {
        return of(source, "user", userId);
    }

    /** The key of one thing (an entity of a source), or null when the id is unknown. */
    public static String of(String source, String kind, String id) {
        if (id == null || id.isEmpty()) {
            return null;
        }
        String key = source + ":" + kind + ":" + id;
        return key.length() <= MAX_LENGTH ? key : source + ":" + kind + ":sha256:" + sha256(id);
    }

    private static String sha256(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }
}
