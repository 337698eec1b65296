package io.clockrelay.source.connecteam;

import io.clockrelay.webhook.Secrets;
import io.clockrelay.webhook.Verification;
import io.clockrelay.webhook.WebhookHeaders;
import io.clockrelay.webhook.WebhookVerifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Locale;

/**
 * Connecteam publishes neither the header nor the scheme of a webhook's {@code secretKey}, and receivers in the wild
 * disagree (vendor-docs/connecteam-api-facts.md). A request is accepted when any of these holds for one of
 * CONNECTEAM_WEBHOOK_SECRET's values: {@code X-Webhook-Secret} equals it; {@code X-Connecteam-Signature} is the hex
 * HMAC-SHA256 of the raw body under it, or equals it; the URL's {@code ?token=} equals it (webhooks made in
 * Connecteam's UI carry no secret). Every form is compared in constant time, every one always. A refusal is logged
 * with the names of the headers the request carried (never a value), so an operator sees what Connecteam sends.
 */
public class ConnecteamVerifier implements WebhookVerifier {

    static final String SECRET_HEADER = "X-Webhook-Secret";
    static final String SIGNATURE_HEADER = "X-Connecteam-Signature";
    static final String QUERY = "token";
    private static final Logger LOG = LoggerFactory.getLogger(ConnecteamVerifier.class);

    private Secrets secrets = Secrets.parse(null);

    /** Comma-separated, so that a secret can be rotated without downtime. */
    public void setSecrets(String setting) {
        this.secrets = Secrets.parse(setting);
    }

    @Override
    public String source() {
        return "connecteam";
    }

    @Override
    public String secretSetting() {
        return "CONNECTEAM_WEBHOOK_SECRET";
    }

    @Override
    public boolean isConfigured() {
        return !secrets.isEmpty();
    }

    /** Refused before the body is read when none of the three forms is there, or one is sent twice. */
    @Override
    public Verification verifyHeaders(WebhookHeaders headers) {
        return logged(presence(headers), headers);
    }

    @Override
    public Verification verify(byte[] rawBody, WebhookHeaders headers) {
        Verification presence = presence(headers);
        return logged(presence.accepted() ? match(rawBody, headers) : presence, headers);
    }

    private Verification logged(Verification verification, WebhookHeaders headers) {
        if (!verification.accepted()) {
            LOG.warn("connecteam webhook refused ({}); the request carried the headers {}", verification.reason(), headers.names());
        }
        return verification;
    }

    private static Verification presence(WebhookHeaders headers) {
        for (String name : new String[] {SECRET_HEADER, SIGNATURE_HEADER, QUERY}) {
            if (headers.isRepeated(name)) {
                return Verification.reject(name + " was sent more than once");
            }
        }
        if (isBlank(headers.single(SECRET_HEADER)) && isBlank(headers.single(SIGNATURE_HEADER)) && isBlank(headers.single(QUERY))) {
            return Verification.reject(SECRET_HEADER + ", " + SIGNATURE_HEADER + " and the token parameter are all missing");
        }
        return Verification.accept();
    }

    private Verification match(byte[] rawBody, WebhookHeaders headers) {
        String secret = headers.single(SECRET_HEADER);
        String signature = headers.single(SIGNATURE_HEADER);
        String token = headers.single(QUERY);
        // Every form against every secret, whatever matched first: the time taken says nothing about any of them.
        boolean match = secrets.matches(secret) | secrets.matches(token) | secrets.matches(signature);
        if (!isBlank(signature)) {
            byte[] presented = signature.trim().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
            for (byte[] key : secrets.values()) {
                match |= MessageDigest.isEqual(hexHmacSha256(key, rawBody), presented);
            }
        }
        return match ? Verification.accept()
                : Verification.reject("neither " + SECRET_HEADER + ", " + SIGNATURE_HEADER + " nor the token matches " + secretSetting());
    }

    static byte[] hexHmacSha256(byte[] key, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return java.util.HexFormat.of().formatHex(mac.doFinal(body)).getBytes(StandardCharsets.US_ASCII);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    private static boolean isBlank(String value) {
        return value == null || value.isEmpty();
    }
}
