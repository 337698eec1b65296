package io.clockrelay.store;

/** An error message as stored in a last_error column: never null, never longer than the column. */
public final class ErrorText {

    private static final int MAX = 2000;

    private ErrorText() {
    }

    public static String of(String message) {
        String text = String.valueOf(message);
        return text.length() > MAX ? text.substring(0, MAX) : text;
    }
}
