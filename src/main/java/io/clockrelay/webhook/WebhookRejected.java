package io.clockrelay.webhook;

/**
 * A webhook that clockrelay refuses, with the HTTP status to answer and a message that names the problem.
 * The message is sent to the caller, so it never contains a secret.
 */
public class WebhookRejected extends RuntimeException {

    private final int status;
    private final String reason;

    public WebhookRejected(int status, String reason, String message) {
        super(message, null, false, false);
        this.status = status;
        this.reason = reason;
    }

    public static WebhookRejected badRequest(String message) {
        return new WebhookRejected(400, "malformed", message);
    }

    public static WebhookRejected unauthorized(String message) {
        return new WebhookRejected(401, "verification", message);
    }

    public static WebhookRejected unavailable(String reason, String message) {
        return new WebhookRejected(503, reason, message);
    }

    public int status() {
        return status;
    }

    /** A short word for logs and metrics: malformed, verification, content-type, not-configured, store. */
    public String reason() {
        return reason;
    }
}
