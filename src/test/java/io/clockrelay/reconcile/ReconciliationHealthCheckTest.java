package io.clockrelay.reconcile;

import com.zaxxer.hikari.HikariDataSource;
import io.clockrelay.store.Databases;
import io.clockrelay.store.Jobs;
import org.apache.camel.health.HealthCheck;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** A vendor's reconciliation is reported degraded once it has not succeeded for two intervals, on a real store. */
class ReconciliationHealthCheckTest {

    @TempDir
    static Path folder;
    static HikariDataSource store;

    @BeforeAll
    static void start() {
        store = Databases.pool("store", "jdbc:h2:file:" + folder.resolve("store").toAbsolutePath(), "sa", "", 2);
        Databases.migrateStore(store);
    }

    @AfterAll
    static void stop() {
        store.close();
    }

    /** A vendor whose API is configured (the listing itself is not called here). */
    private static final Reconciler VENDOR = new Reconciler() {
        public String source() {
            return "clockodo";
        }

        public boolean isConfigured() {
            return true;
        }

        public String notConfigured() {
            return "";
        }

        public Set<String> entities() {
            return Set.of();
        }

        public List<Listed> list(Instant since, Instant until) {
            return List.of();
        }

        public Injection deletion(String entity, String entityId, String userId, Instant at) {
            return null;
        }
    };

    @Test
    void degradedWhenTheLastSuccessIsOlderThanTwoIntervals() throws Exception {
        Jobs jobs = new Jobs(store, Clock.systemUTC());
        jobs.runAlone("reconcile-clockodo", Duration.ZERO, Duration.ofMinutes(1), lease -> { });
        Instant success = jobs.lastSuccess("reconcile-clockodo").orElseThrow();

        assertThat(state(success.plus(Duration.ofMinutes(90)), jobs).getState()).isEqualTo(HealthCheck.State.UP);
        HealthCheck.Result late = state(success.plus(Duration.ofMinutes(121)), jobs);
        assertThat(late.getState()).isEqualTo(HealthCheck.State.UNKNOWN);
        assertThat(late.getMessage()).hasValue("the reconciliation of clockodo has not succeeded since " + success
                + ": webhooks it missed are not healed meanwhile; see the log (reconciliation source=clockodo)");
    }

    private static HealthCheck.Result state(Instant now, Jobs jobs) {
        ReconciliationHealthCheck check = new ReconciliationHealthCheck(VENDOR, jobs, Duration.ofHours(1), Clock.fixed(now, ZoneOffset.UTC));
        check.setCamelContext(new org.apache.camel.impl.DefaultCamelContext());
        return check.call();
    }
}
