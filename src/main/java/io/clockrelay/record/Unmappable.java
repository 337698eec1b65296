package io.clockrelay.record;

/**
 * A webhook that can never become a record as it is: a field a record cannot do without is missing or unreadable
 * (an id, the employee, an instant, a duration out of range). Retrying cannot help, so the webhook is set aside
 * with this message as its reason, for an operator to look at and replay once the cause is fixed.
 */
public class Unmappable extends RuntimeException {

    public Unmappable(String message) {
        super(message, null, false, false);
    }
}
