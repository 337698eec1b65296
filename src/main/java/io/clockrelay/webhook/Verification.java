package io.clockrelay.webhook;

/** The outcome of checking a webhook's signature, secret or token: accepted, or rejected with the reason. */
public record Verification(boolean accepted, String reason) {

    private static final Verification ACCEPTED = new Verification(true, null);

    public static Verification accept() {
        return ACCEPTED;
    }

    public static Verification reject(String reason) {
        return new Verification(false, reason);
    }
}
