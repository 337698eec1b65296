package io.clockrelay.webhook;

import io.vertx.core.http.HttpServerRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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
     * A request's headers and query parameters before Camel has seen it, merged as Camel's HTTP consumer merges
     * them (names in any case; a name sent twice, or as a header and a parameter, holds a list), so that a verifier
     * reads them as its route will.
     */
    static WebhookHeaders of(HttpServerRequest request) {
        Map<String, Object> merged = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        request.headers().forEach(header -> add(merged, header.getKey(), header.getValue()));
        request.params().forEach(parameter -> add(merged, parameter.getKey(), parameter.getValue()));
        return new WebhookHeaders(merged);
    }

    @SuppressWarnings("unchecked")
    private static void add(Map<String, Object> merged, String name, String value) {
        Object previous = merged.get(name);
        if (previous == null) {
            merged.put(name, value);
        } else if (previous instanceof List<?> values) {
            ((List<Object>) values).add(value);
        } else {
            merged.put(name, new ArrayList<>(List.of(previous, value)));
        }
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
