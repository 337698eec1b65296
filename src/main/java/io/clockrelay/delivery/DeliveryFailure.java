package io.clockrelay.delivery;

import io.clockrelay.record.RetryAfter;
import org.apache.camel.http.base.HttpOperationFailedException;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * What a failed attempt means for the next one. Permanent: the target refused the record itself (an HTTP 4xx
 * other than 408/429, an SQL constraint or data error) and retrying cannot help. Everything else is transient.
 */
public record DeliveryFailure(boolean permanent, String reason, Duration retryAfter) {

    public static DeliveryFailure of(Throwable failure, Instant now) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof HttpOperationFailedException http) {
                int status = http.getStatusCode();
                boolean transientStatus = status == 408 || status == 429 || status >= 500;
                return new DeliveryFailure(!transientStatus, "HTTP " + status + " " + nonNull(http.getStatusText()),
                        retryAfter(http.getResponseHeaders(), now));
            }
            if (cause instanceof SQLException sql && sql.getSQLState() != null) {
                String sqlClass = sql.getSQLState().length() >= 2 ? sql.getSQLState().substring(0, 2) : "";
                boolean permanent = sqlClass.equals("22") || sqlClass.equals("23");
                return new DeliveryFailure(permanent, "SQL " + sql.getSQLState() + ": " + sql.getMessage(), null);
            }
        }
        return new DeliveryFailure(false, failure.getClass().getSimpleName() + ": " + failure.getMessage(), null);
    }

    /** The Retry-After of an HTTP answer's headers, whatever their case. */
    static Duration retryAfter(Map<String, String> headers, Instant now) {
        if (headers == null) {
            return null;
        }
        return RetryAfter.parse(headers.entrySet().stream()
                .filter(header -> header.getKey().equalsIgnoreCase("Retry-After"))
                .map(Map.Entry::getValue).findFirst().orElse(null), now);
    }

    private static String nonNull(String text) {
        return text == null ? "" : text;
    }
}
