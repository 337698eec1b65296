package io.clockrelay.source.connecteam;

import io.clockrelay.webhook.Secrets;
import io.clockrelay.webhook.Verification;
import io.clockrelay.webhook.WebhookHeaders;
import io.clockrelay.webhook.WebhookVerifier;

/**
 * Connecteam echoes the {@code secretKey} set on a webhook in {@code X-Webhook-Secret}; a webhook made in its UI
 * can carry a {@code ?token=} in its URL instead. Either must equal one of CONNECTEAM_WEBHOOK_SECRET's values.
 */
public class ConnecteamVerifier implements WebhookVerifier {

    static final String HEADER = "X-Webhook-Secret";
    static final String QUERY = "token";

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

    @Override
    public Verification verify(byte[] rawBody, WebhookHeaders headers) {
        if (headers.isRepeated(HEADER) || headers.isRepeated(QUERY)) {
            return Verification.reject(HEADER + " or the token parameter was sent more than once");
        }
        String header = headers.single(HEADER);
        String token = headers.single(QUERY);
        if (isBlank(header) && isBlank(token)) {
            return Verification.reject(HEADER + " header or token query parameter is missing");
        }
        // Both are compared, whatever the first gives, so that the time taken says nothing about either.
        boolean headerMatches = secrets.matches(header);
        boolean tokenMatches = secrets.matches(token);
        return headerMatches | tokenMatches ? Verification.accept()
                : Verification.reject(HEADER + " or token does not match " + secretSetting());
    }

    private static boolean isBlank(String value) {
        return value == null || value.isEmpty();
    }
}
