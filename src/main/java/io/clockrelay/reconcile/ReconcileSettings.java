package io.clockrelay.reconcile;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as an operator writes them: 1h, 30m, 90s, 2d, or ISO-8601 (PT1H). */
public final class ReconcileSettings {

    private static final Pattern SHORT = Pattern.compile("([0-9]+)\\s*([smhd])");

    private ReconcileSettings() {
    }

    /** The duration, or IllegalArgumentException saying how to write one. */
    public static Duration duration(String value) {
        String text = value.trim().toLowerCase(Locale.ROOT);
        Matcher matcher = SHORT.matcher(text);
        if (matcher.matches()) {
            long amount = Long.parseLong(matcher.group(1));
            return switch (matcher.group(2)) {
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        }
        try {
            return Duration.parse(value.trim().toUpperCase(Locale.ROOT));
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("'" + value + "' is not a duration: write it as 1h, 30m, 90s, 2d or PT1H");
        }
    }

    /** A duration in the short form: 1h, 30m, 90s. */
    public static String words(Duration duration) {
        if (duration.toSeconds() % 86_400 == 0) {
            return duration.toDays() + "d";
        }
        if (duration.toSeconds() % 3600 == 0) {
            return duration.toHours() + "h";
        }
        return duration.toSeconds() % 60 == 0 ? duration.toMinutes() + "m" : duration.toSeconds() + "s";
    }
}
