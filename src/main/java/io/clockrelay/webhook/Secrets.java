package io.clockrelay.webhook;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;

/** A comma-separated secret setting: several values are accepted at once so that a secret can be rotated. */
public final class Secrets {

    private final List<byte[]> values;

    private Secrets(List<byte[]> values) {
        this.values = values;
    }

    public static Secrets parse(String setting) {
        if (setting == null) {
            return new Secrets(List.of());
        }
        return new Secrets(Arrays.stream(setting.split(","))
                .map(String::trim)
                .filter(value -> !value.isEmpty())
                .map(value -> value.getBytes(StandardCharsets.UTF_8))
                .toList());
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    public List<byte[]> values() {
        return values;
    }

    /** True when the candidate equals one of the values; every value is compared, each in constant time. */
    public boolean matches(String candidate) {
        if (candidate == null) {
            return false;
        }
        byte[] bytes = candidate.getBytes(StandardCharsets.UTF_8);
        boolean match = false;
        for (byte[] value : values) {
            match |= MessageDigest.isEqual(value, bytes);
        }
        return match;
    }
}
