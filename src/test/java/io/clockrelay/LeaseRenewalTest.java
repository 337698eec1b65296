package io.clockrelay;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A claim whose deliveries together outlast the lease (a slow endpoint, one record after another) keeps its
 * rows: the lease is renewed while the instance works, so the other instance never delivers them a second time.
 */
class LeaseRenewalTest {

    @TempDir
    static Path folder;
    static EmbeddedPostgres postgres;
    static WireMockServer slow;
    static RunningClockrelay first;
    static RunningClockrelay second;

    @BeforeAll
    static void start() throws IOException {
        postgres = EmbeddedPostgres.builder().start();
        slow = new WireMockServer(options().dynamicPort());
        slow.start();
        slow.stubFor(post(urlEqualTo("/slow")).willReturn(aResponse().withStatus(200).withFixedDelay(1500)));
        Map<String, String> shared = Map.of(
                "clockrelay.store.url", "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres",
                "clockrelay.store.user", "postgres",
                "clockrelay.lease-seconds", "2",
                "clockrelay.target.payroll-db.enabled", "false",
                "clockrelay.target.payroll-api.enabled", "true",
                "clockrelay.target.payroll-api.url", "http://localhost:" + slow.port() + "/slow",
                "clockrelay.target.payroll-api.secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        first = RunningClockrelay.start(Files.createDirectories(folder.resolve("first")), shared);
        second = RunningClockrelay.start(Files.createDirectories(folder.resolve("second")), shared);
    }

    @AfterAll
    static void stop() throws IOException {
        first.close();
        second.close();
        slow.stop();
        postgres.close();
    }

    @Test
    void aClaimOutlastingItsLeaseIsNotDeliveredTwice() {
        // In one transaction, so that one claim takes all three: 4.5 s of calls against a 2 s lease.
        first.rows("INSERT INTO deliveries (target, event_id, record_id, ordering_key, source, entity, event_type, record, inbox_id, status,"
                + " attempts, created_at, next_attempt_at) SELECT 'payroll-api', 'evt_lease_' || g, 'r' || g, 'user-' || g, 'clockeye',"
                + " 'time_entry', 'time_entry.created', '{\"eventId\":\"evt_lease_' || g || '\"}', 0, 'pending', 0, now(), now()"
                + " FROM generate_series(1, 3) g");

        first.awaitRow(row -> ((Number) row.get("N")).intValue() == 3,
                "SELECT COUNT(*) AS n FROM deliveries WHERE event_id LIKE 'evt_lease_%' AND status = 'delivered'");

        List<String> calls = slow.getAllServeEvents().stream().map(ServeEvent::getRequest)
                .map(request -> request.getHeader("webhook-id")).sorted().toList();
        assertThat(calls).containsExactly("evt_lease_1", "evt_lease_2", "evt_lease_3");
    }
}
