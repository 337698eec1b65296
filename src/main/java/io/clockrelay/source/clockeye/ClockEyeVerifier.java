package io.clockrelay.source.clockeye;

import io.clockrelay.webhook.Secrets;
import io.clockrelay.webhook.Verification;
import io.clockrelay.webhook.WebhookHeaders;
import io.clockrelay.webhook.WebhookVerifier;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/** ClockEye signs the raw body: {@code X-ClockEye-Signature: sha256=<hex HMAC-SHA256 of the body>}. */
public class ClockEyeVerifier implements WebhookVerifier {

    static final String HEADER = "X-ClockEye-Signature";
    private static final String PREFIX = "sha256=";
    private static final int HEX_LENGTH = 64;

    private Secrets secrets = Secrets.parse(null);

    /** Comma-separated, so that a secret can be rotated without downtime. */
    public void setSecrets(String setting) {
        this.secrets = Secrets.parse(setting);
    }

    @Override
    public String source() {
        return "clockeye";
    }

    @Override
    public String secretSetting() {
        return "CLOCKEYE_WEBHOOK_SECRET";
    }

    @Override
    public boolean isConfigured() {
        return !secrets.isEmpty();
    }

    /** The signature header's form: present once, {@code sha256=} and 64 hex digits. */
    @Override
    public Verification verifyHeaders(WebhookHeaders headers) {
        if (headers.isRepeated(HEADER)) {
            return Verification.reject(HEADER + " was sent more than once");
        }
        String header = headers.single(HEADER);
        if (header == null || header.isEmpty()) {
            return Verification.reject(HEADER + " is missing");
        }
        if (!header.startsWith(PREFIX)) {
            return Verification.reject(HEADER + " must start with '" + PREFIX + "'");
        }
        String hex = header.substring(PREFIX.length());
        if (hex.length() != HEX_LENGTH || !isHex(hex)) {
            return Verification.reject(HEADER + " must be '" + PREFIX + "' followed by 64 hexadecimal digits");
        }
        return Verification.accept();
    }

    @Override
    public Verification verify(byte[] rawBody, WebhookHeaders headers) {
        Verification form = verifyHeaders(headers);
        if (!form.accepted()) {
            return form;
        }
        byte[] presented = HexFormat.of().parseHex(headers.single(HEADER).substring(PREFIX.length()));
        boolean match = false;
        for (byte[] secret : secrets.values()) {
            match |= MessageDigest.isEqual(hmacSha256(secret, rawBody), presented);
        }
        return match ? Verification.accept() : Verification.reject(HEADER + " does not match the body");
    }

    static byte[] hmacSha256(byte[] secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    private static boolean isHex(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean hexDigit = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (!hexDigit) {
                return false;
            }
        }
        return true;
    }
}
