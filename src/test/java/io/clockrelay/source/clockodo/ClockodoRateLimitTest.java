package io.clockrelay.source.clockodo;

import com.zaxxer.hikari.HikariDataSource;
import io.clockrelay.store.Databases;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Clockodo's four windows per API user, kept by two instances on one PostgreSQL store together (the limits scaled
 * down: 3 a minute, 5 in 15 minutes, 7 an hour, 9 a day), at chosen instants so that each window is seen to close
 * and to free up again.
 */
class ClockodoRateLimitTest {

    static EmbeddedPostgres postgres;
    static HikariDataSource store;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        store = Databases.pool("store", "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres", "postgres", "", 4);
        Databases.migrateStore(store);
    }

    @AfterAll
    static void stop() throws Exception {
        store.close();
        postgres.close();
    }

    private static ClockodoRateLimit instance(String apiUser) {
        ClockodoRateLimit limit = new ClockodoRateLimit(store);
        limit.setApiUser(apiUser);
        limit.setPerMinute(3);
        limit.setPer15Minutes(5);
        limit.setPerHour(7);
        limit.setPerDay(9);
        return limit;
    }

    @Test
    void theFourWindowsHoldForAllInstancesTogether() throws Exception {
        ClockodoRateLimit first = instance("windows@example.com");
        ClockodoRateLimit second = instance("windows@example.com");
        Instant t = Instant.parse("2030-01-01T10:00:00Z");

        // A minute: 3 calls, whichever instance makes them; the fourth waits until the first call is a minute old.
        assertThat(first.take(t, 1.0)).isNull();
        assertThat(second.take(t.plusSeconds(1), 1.0)).isNull();
        assertThat(first.take(t.plusSeconds(2), 1.0)).isNull();
        assertThat(second.take(t.plusSeconds(3), 1.0)).isEqualTo(Duration.ofSeconds(57));
        // Fifteen minutes: 5 calls.
        assertThat(second.take(t.plusSeconds(61), 1.0)).isNull();
        assertThat(first.take(t.plusSeconds(62), 1.0)).isNull();
        assertThat(first.take(t.plusSeconds(122), 1.0)).as("5 in 15 minutes").isEqualTo(Duration.ofMinutes(15).minusSeconds(122));
        // An hour: 7 calls.
        assertThat(first.take(t.plusSeconds(15 * 60 + 1), 1.0)).isNull();
        assertThat(second.take(t.plusSeconds(15 * 60 + 2), 1.0)).isNull();
        assertThat(first.take(t.plusSeconds(31 * 60), 1.0)).as("7 an hour").isEqualTo(Duration.ofMinutes(29));
        // A day: 9 calls, counted in whole hours.
        assertThat(first.take(t.plusSeconds(3601), 1.0)).isNull();
        assertThat(second.take(t.plusSeconds(3602), 1.0)).isNull();
        assertThat(first.take(t.plusSeconds(3 * 3600), 1.0)).as("9 a day").isNotNull().isGreaterThan(Duration.ofHours(20));
    }

    @Test
    void aCallerWithAShareMayUseOnlyThatShareAndLeavesTheRestToTheOthers() throws Exception {
        ClockodoRateLimit limit = instance("share@example.com");
        Instant t = Instant.parse("2030-02-01T10:00:00Z");

        assertThat(limit.take(t, 0.5)).isNull();
        assertThat(limit.take(t.plusSeconds(1), 0.5)).as("half of 3 a minute is 1").isNotNull();
        assertThat(limit.take(t.plusSeconds(2), 1.0)).as("the enrichment still has its permits").isNull();
        assertThat(limit.take(t.plusSeconds(3), 1.0)).isNull();
        assertThat(limit.take(t.plusSeconds(4), 1.0)).isNotNull();
    }

    @Test
    void eachApiUserHasItsOwnLimits() throws Exception {
        Instant t = Instant.parse("2030-03-01T10:00:00Z");
        ClockodoRateLimit one = instance("one@example.com");
        for (int i = 0; i < 3; i++) {
            assertThat(one.take(t.plusSeconds(i), 1.0)).isNull();
        }
        assertThat(one.take(t.plusSeconds(4), 1.0)).isNotNull();
        assertThat(instance("other@example.com").take(t.plusSeconds(4), 1.0)).isNull();
    }
}
