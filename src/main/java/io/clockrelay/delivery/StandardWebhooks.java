package io.clockrelay.delivery;

import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.spi.PropertiesComponent;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Signs what an HTTP target sends, per the Standard Webhooks specification: {@code webhook-id} (the record's
 * eventId, stable across retries, so the receiver can de-duplicate), {@code webhook-timestamp} (seconds), and
 * {@code webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">}, one signature per secret of
 * {@code clockrelay.target.<name>.secret} (comma-separated {@code whsec_} secrets while rotating).
 */
public class StandardWebhooks {

    private static final String PREFIX = "whsec_";
    private final PropertiesComponent properties;
    private final Clock clock;
    private final Map<String, List<byte[]>> keys = new ConcurrentHashMap<>();

    public StandardWebhooks(PropertiesComponent properties, Clock clock) {
        this.properties = properties;
        this.clock = clock;
    }

    /** The route step: signs the body (the record's JSON) for the delivery's target. */
    public void sign(Exchange exchange, @ExchangeProperty("delivery") Delivery delivery) {
        String body = exchange.getMessage().getBody(String.class);
        long timestamp = clock.instant().getEpochSecond();
        exchange.getMessage().setHeader("webhook-id", delivery.eventId());
        exchange.getMessage().setHeader("webhook-timestamp", String.valueOf(timestamp));
        exchange.getMessage().setHeader("webhook-signature", signature(keys(delivery.target()), delivery.eventId(), timestamp, body));
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
    }

    static String signature(List<byte[]> keys, String id, long timestamp, String body) {
        byte[] content = (id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8);
        List<String> signatures = new ArrayList<>();
        for (byte[] key : keys) {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(key, "HmacSHA256"));
                signatures.add("v1," + Base64.getEncoder().encodeToString(mac.doFinal(content)));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
            }
        }
        return String.join(" ", signatures);
    }

    private List<byte[]> keys(String target) {
        return keys.computeIfAbsent(target, name -> parse("clockrelay.target." + name + ".secret",
                properties.resolveProperty("clockrelay.target." + name + ".secret").orElse("")));
    }

    /**
     * The keys of a secret setting; refuses (naming the setting, never the value) a value that is not
     * {@code whsec_} followed by base64.
     */
    public static List<byte[]> parse(String setting, String value) {
        List<byte[]> keys = new ArrayList<>();
        for (String secret : value.split(",")) {
            String trimmed = secret.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            if (!trimmed.startsWith(PREFIX)) {
                throw new IllegalStateException(setting + " must be whsec_ followed by base64 (a Standard Webhooks secret)");
            }
            try {
                keys.add(Base64.getDecoder().decode(trimmed.substring(PREFIX.length())));
            } catch (IllegalArgumentException notBase64) {
                throw new IllegalStateException(setting + " is not valid base64 after whsec_: generate one with: echo whsec_$(head -c 32 /dev/urandom | base64)");
            }
        }
        if (keys.isEmpty()) {
            throw new IllegalStateException(setting + " is not set: an HTTP target signs every call (whsec_<base64>)");
        }
        return keys;
    }
}
