package io.clockrelay.store;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Jobs on one PostgreSQL store, as several instances share it: one runs a job at a time, once per interval. */
class JobsTest {

    static EmbeddedPostgres postgres;
    static HikariDataSource store;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        store = Databases.pool("store", "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres", "postgres", "", 8);
        Databases.migrateStore(store);
    }

    @AfterAll
    static void stop() throws Exception {
        store.close();
        postgres.close();
    }

    @Test
    void ofSeveralInstancesAskingAtOnceExactlyOneRunsTheJob() throws Exception {
        Jobs[] instances = {new Jobs(store, Clock.systemUTC()), new Jobs(store, Clock.systemUTC()), new Jobs(store, Clock.systemUTC())};
        AtomicInteger running = new AtomicInteger();
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(instances.length);
        try {
            Future<?>[] asks = new Future<?>[instances.length];
            for (int i = 0; i < instances.length; i++) {
                Jobs jobs = instances[i];
                asks[i] = pool.submit(() -> {
                    go.await();
                    return jobs.runAlone("once", Duration.ofHours(1), Duration.ofMinutes(1), lease -> {
                        assertThat(running.incrementAndGet()).as("no other instance runs it meanwhile").isEqualTo(1);
                        runs.incrementAndGet();
                        Thread.sleep(300);
                        lease.renew();
                        running.decrementAndGet();
                    });
                });
            }
            go.countDown();
            for (Future<?> ask : asks) {
                ask.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdown();
        }
        assertThat(runs).as("once per interval, whichever instance").hasValue(1);
        assertThat(instances[1].runAlone("once", Duration.ofHours(1), Duration.ofMinutes(1), lease -> runs.incrementAndGet()))
                .as("the interval has not passed").isFalse();
        assertThat(instances[0].lastSuccess("once")).isPresent();
    }

    @Test
    void aFailedRunIsRecordedAndTheNextRunMayFollowAtOnce() throws Exception {
        Jobs jobs = new Jobs(store, Clock.systemUTC());
        assertThatThrownBy(() -> jobs.runAlone("failing", Duration.ZERO, Duration.ofMinutes(1), lease -> {
            throw new IllegalStateException("the vendor's API answered 503");
        })).hasMessage("the vendor's API answered 503");
        assertThat(jobs.lastSuccess("failing")).isEmpty();
        assertThat(jobs.runAlone("failing", Duration.ZERO, Duration.ofMinutes(1), lease -> { })).isTrue();
        assertThat(jobs.lastSuccess("failing")).isPresent();
    }
}
