package io.clockrelay.webhook;

/**
 * A request the webhook port answers itself: the status, the reason counted in clockrelay_webhooks_total, the
 * message of the JSON answer, and what becomes of the connection after the answer.
 */
record Refusal(int status, String reason, String message, Afterwards afterwards) {

    enum Afterwards {
        /** The body was read (or there is none): the connection may carry the next request. */
        KEEP,
        /**
         * The body was not read: the rest of it, up to the body limit, is read and thrown away, then the connection
         * is closed (cut off at the limit); so that a sender that writes the whole body before it reads the answer
         * still finds the answer.
         */
        DISCARD_BODY_THEN_CLOSE,
        /** Closed as soon as the answer is written: a body in chunks read up to the limit, a sender too slow. */
        CLOSE
    }

    /** Answered 503 with Retry-After before the body is read: the vendor sends it again. */
    static Refusal retryLater(String reason, String message) {
        return new Refusal(503, reason, message, Afterwards.DISCARD_BODY_THEN_CLOSE);
    }
}
