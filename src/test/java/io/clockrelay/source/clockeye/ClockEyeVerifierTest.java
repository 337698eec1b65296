package io.clockrelay.source.clockeye;

import io.clockrelay.webhook.Verification;
import io.clockrelay.webhook.WebhookHeaders;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class ClockEyeVerifierTest {

    private static final byte[] BODY = "{\"id\":\"evt_1\",\"type\":\"time_entry.created\"}".getBytes(StandardCharsets.UTF_8);

    @Test
    void everyHeaderValueGetsAVerdictAndNeverAnException() {
        ClockEyeVerifier verifier = verifier("the-clockeye-secret-0001");
        Random random = new Random(20261123);
        String alphabet = "sha256=0123456789abcdefABCDEF xyz\u0663\u00e9\t,;\"";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder header = new StringBuilder(random.nextBoolean() ? "sha256=" : "");
            int length = random.nextInt(3) == 0 ? 64 : random.nextInt(140);
            for (int c = 0; c < length; c++) {
                header.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            Verification verdict = verifier.verify(BODY, headers(header.toString()));
            assertThat(verdict.accepted()).as(header.toString()).isFalse();
            assertThat(verdict.reason()).startsWith(ClockEyeVerifier.HEADER);
        }
    }

    @Test
    void theSignatureOfTheDocumentsNodeCodeIsAccepted() {
        // crypto.createHmac('sha256', secret).update(payload).digest('hex'), prefixed with "sha256=".
        String hex = HexFormat.of().formatHex(ClockEyeVerifier.hmacSha256("the-clockeye-secret-0001".getBytes(StandardCharsets.UTF_8), BODY));

        assertThat(verifier("the-clockeye-secret-0001").verify(BODY, headers("sha256=" + hex)).accepted()).isTrue();
        assertThat(verifier("other-secret-000000000001").verify(BODY, headers("sha256=" + hex)).accepted()).isFalse();
    }

    @Test
    void aListOfOneHeaderValueIsThatValueAndALongerListIsRefused() {
        String hex = HexFormat.of().formatHex(ClockEyeVerifier.hmacSha256("the-clockeye-secret-0001".getBytes(StandardCharsets.UTF_8), BODY));
        ClockEyeVerifier verifier = verifier("the-clockeye-secret-0001");

        assertThat(verifier.verify(BODY, new WebhookHeaders(Map.of(ClockEyeVerifier.HEADER, List.of("sha256=" + hex)))).accepted()).isTrue();
        assertThat(verifier.verify(BODY, new WebhookHeaders(Map.of(ClockEyeVerifier.HEADER, List.of("sha256=" + hex, "sha256=" + hex))))
                .reason()).isEqualTo("X-ClockEye-Signature was sent more than once");
    }

    @Test
    void withoutASecretTheVendorIsNotConfigured() {
        assertThat(verifier("").isConfigured()).isFalse();
        assertThat(verifier(" , ").isConfigured()).isFalse();
        assertThat(verifier(null).isConfigured()).isFalse();
        assertThat(verifier("a-secret-value-00001").isConfigured()).isTrue();
    }

    private static ClockEyeVerifier verifier(String secrets) {
        ClockEyeVerifier verifier = new ClockEyeVerifier();
        verifier.setSecrets(secrets);
        return verifier;
    }

    private static WebhookHeaders headers(String signature) {
        Map<String, Object> headers = new HashMap<>();
        headers.put(ClockEyeVerifier.HEADER, signature);
        return new WebhookHeaders(headers);
    }
}
