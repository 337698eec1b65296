package io.clockrelay.delivery;

import com.standardwebhooks.Webhook;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StandardWebhooksTest {

    @Test
    void theSpecificationsTestVectorIsReproduced() {
        // standard-webhooks spec, "Signature scheme" test vector.
        List<byte[]> keys = StandardWebhooks.parse("secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");

        String signature = StandardWebhooks.signature(keys, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, "{\"test\": 2432232314}");

        assertThat(signature).isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    @Test
    void theStandardWebhooksLibraryVerifiesEachSignatureOfARotation() {
        String oldSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        String newSecret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
        String body = "{\"recordId\":\"clockeye:time_entry:te_1\",\"eventId\":\"evt_1\"}";
        long now = Instant.now().getEpochSecond();
        String signature = StandardWebhooks.signature(StandardWebhooks.parse("secret", oldSecret + ", " + newSecret), "evt_1", now, body);
        Map<String, List<String>> headers = Map.of(
                "webhook-id", List.of("evt_1"),
                "webhook-timestamp", List.of(String.valueOf(now)),
                "webhook-signature", List.of(signature));

        assertThat(signature.split(" ")).hasSize(2);
        assertThatCode(() -> new Webhook(oldSecret).verify(body, headers)).doesNotThrowAnyException();
        assertThatCode(() -> new Webhook(newSecret).verify(body, headers)).doesNotThrowAnyException();
        assertThatThrownBy(() -> new Webhook("whsec_dGhpcyBpcyBub3QgdGhlIHNlY3JldA==").verify(body, headers))
                .isInstanceOf(com.standardwebhooks.exceptions.WebhookVerificationException.class);
        assertThatThrownBy(() -> new Webhook(oldSecret).verify(body + " ", headers))
                .isInstanceOf(com.standardwebhooks.exceptions.WebhookVerificationException.class);
    }

    @Test
    void aSecretThatIsNotWhsecBase64IsRefusedNamingTheSettingNotTheValue() {
        assertThatThrownBy(() -> StandardWebhooks.parse("clockrelay.target.x.secret", "plain-secret-value"))
                .hasMessage("clockrelay.target.x.secret must be whsec_ followed by base64 (a Standard Webhooks secret)");
        assertThatThrownBy(() -> StandardWebhooks.parse("clockrelay.target.x.secret", "whsec_not*base64!"))
                .hasMessageStartingWith("clockrelay.target.x.secret is not valid base64 after whsec_").hasMessageNotContaining("not*base64");
        assertThatThrownBy(() -> StandardWebhooks.parse("clockrelay.target.x.secret", " "))
                .hasMessageStartingWith("clockrelay.target.x.secret is not set");
    }
}
