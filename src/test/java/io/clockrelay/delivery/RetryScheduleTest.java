package io.clockrelay.delivery;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class RetryScheduleTest {

    private static final RetrySchedule DEFAULT = new RetrySchedule(Duration.ofSeconds(5), Duration.ofHours(1), Duration.ofHours(24));
    private static final Instant CREATED = Instant.parse("2024-01-01T00:00:00Z");

    @Test
    void eachWaitIsBetweenHalfAndAllOfTheDoubledDelayCappedAtTheMaximum() {
        for (int attempts = 1; attempts <= 40; attempts++) {
            long ceiling = Math.min(Duration.ofHours(1).toMillis(), 5_000L << Math.min(attempts - 1, 30));
            for (int draw = 0; draw < 200; draw++) {
                Instant next = DEFAULT.nextAttempt(attempts, CREATED, CREATED, null);
                long wait = Duration.between(CREATED, next).toMillis();
                assertThat(wait).isBetween(ceiling / 2, ceiling);
            }
        }
    }

    @Test
    void theDefaultScheduleGivesUpAfterAboutADayOfAttempts() {
        Instant now = CREATED;
        int attempts = 0;
        Instant next;
        while ((next = DEFAULT.nextAttempt(attempts + 1, CREATED, now, null)) != null) {
            now = next;
            attempts++;
        }
        assertThat(Duration.between(CREATED, now)).isBetween(Duration.ofHours(23), Duration.ofHours(24));
        assertThat(attempts).isBetween(20, 60);
    }

    @Test
    void retryAfterLongerThanTheBackOffIsHonoured() {
        Instant next = DEFAULT.nextAttempt(1, CREATED, CREATED, Duration.ofMinutes(10));

        assertThat(next).isEqualTo(CREATED.plus(Duration.ofMinutes(10)));
    }
}
