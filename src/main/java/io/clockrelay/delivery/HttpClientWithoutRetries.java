package io.clockrelay.delivery;

import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;

/**
 * Turns off Apache HttpClient's own retries (it waits out a 429's or 503's Retry-After itself, holding the calling
 * thread): clockrelay retries with its own back-off, from the inbox or the deliveries table, without blocking.
 * Used as {@code httpClientConfigurer=#httpClientWithoutRetries} on outgoing http endpoints.
 */
public class HttpClientWithoutRetries implements HttpClientConfigurer {

    @Override
    public void configureHttpClient(HttpClientBuilder builder) {
        builder.disableAutomaticRetries();
    }
}
