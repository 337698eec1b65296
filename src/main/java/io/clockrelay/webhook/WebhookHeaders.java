package io.clockrelay.webhook;

import java.util.List;
import java.util.Map;

/**
 * The request headers (and query parameters, which Camel's HTTP consumer also puts in the headers) a verifier
 * may read. A header sent more than once is never silently reduced to one of its values.
 */
public final class WebhookHeaders {

    private final Map<String, Object> headers;

    public WebhookHeaders(Map<String, Object> headers) {
        this.headers = headers;
    }

    /**
     * The names of the request's headers and query parameters, sorted, without Camel's own: for a log line that
     * tells an operator what a vendor sent. Never their values.
     */
    public java.util.List<String> names() {
        return headers.keySet().stream().filter(name -> !name.startsWith("Camel")).sorted(String.CASE_INSENSITIVE_ORDER).toList();
    }

    public boolean isRepeated(String name) {
        return headers.get(name) instanceof List<?> values && values.size() > 1;
    }

    /** The single value of a header, or null when it is missing or repeated. */
    public String single(String name) {
        Object value = headers.get(name);
        if (value instanceof List<?> values) {
            return values.size() == 1 ? String.valueOf(values.get(0)) : null;
        }
        return value == null ? null : value.toString();
    }
}
