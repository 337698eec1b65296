package io.clockrelay.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the leases of the claims this instance is working on: every third of a lease, the rows of every claim
 * still held get a full lease again, in one statement per table. Leases can then be short: work held by an
 * instance that died (SIGKILL, a lost host) is claimable again seconds later, while a living instance keeps its
 * rows however long a delivery or an API call takes.
 */
public class LeaseKeeper implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LeaseKeeper.class);

    private final DataSource store;
    private final Clock clock;
    private final Duration lease;
    private final String instance;
    /** Claim token → table, for every claim this instance holds. */
    private final Map<String, String> held = new ConcurrentHashMap<>();
    private final ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "lease-keeper");
        thread.setDaemon(true);
        return thread;
    });

    /** {@code instance}: this instance's name (CLOCKRELAY_INSTANCE); empty: {@code <pid>@<host>}. */
    public LeaseKeeper(DataSource store, Clock clock, Duration lease, String instance) {
        this.store = store;
        this.clock = clock;
        this.lease = lease;
        this.instance = instance.isBlank() ? instanceName() : instance.trim();
        long every = Math.max(100, lease.toMillis() / 3);
        renewer.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * At the start of an instance whose name was set (CLOCKRELAY_INSTANCE, unique among the running instances: a
     * pod's or a host's name), the claims an earlier life of it left behind (a SIGKILL, a crash) are its own to take
     * back: they become claimable at once instead of after their lease. Not with the default name, which a
     * restarted process does not share (its process id changes). A store that cannot be reached leaves them to
     * their leases.
     */
    public void takeBackClaimsOfAnEarlierLife(boolean named) {
        if (!named) {
            return;
        }
        String prefix = instance + "/";
        long taken = 0;
        try (Connection connection = store.getConnection()) {
            for (String table : new String[] {"inbox", "deliveries"}) {
                try (PreparedStatement release = connection.prepareStatement("UPDATE " + table + " SET claim_token = NULL, lease_until = NULL"
                        + " WHERE status = 'pending' AND claim_token IS NOT NULL AND SUBSTRING(claim_token, 1, ?) = ?")) {
                    release.setInt(1, prefix.length());
                    release.setString(2, prefix);
                    taken += release.executeUpdate();
                }
            }
        } catch (SQLException e) {
            LOG.warn("claims of an earlier life of {} not taken back (their leases will free them): {}", instance, e.getMessage());
            return;
        }
        if (taken > 0) {
            LOG.info("{} rows claimed by an earlier life of {} are claimable again at once", taken, instance);
        }
    }

    /**
     * A new claim token, naming this instance ({@code <pid>@<host>} or CLOCKRELAY_INSTANCE) so that an operator
     * looking at the store sees which instance holds which rows.
     */
    public String newToken() {
        return instance + "/" + UUID.randomUUID();
    }

    /** This instance's name, as its claim tokens and the deliveries it made (delivered_by) carry it. */
    public String instance() {
        return instance;
    }

    /** How long a claim's rows are leased at a time. */
    public Duration lease() {
        return lease;
    }

    public void hold(String table, String token) {
        if (token != null) {
            held.put(token, table);
        }
    }

    public void drop(String token) {
        if (token != null) {
            held.remove(token);
        }
    }

    void renew() {
        Map<String, List<String>> byTable = new java.util.HashMap<>();
        held.forEach((token, table) -> byTable.computeIfAbsent(table, t -> new ArrayList<>()).add(token));
        Timestamp until = Timestamp.from(Instant.now(clock).plus(lease));
        for (Map.Entry<String, List<String>> table : byTable.entrySet()) {
            List<String> tokens = table.getValue();
            String marks = String.join(",", java.util.Collections.nCopies(tokens.size(), "?"));
            try (Connection connection = store.getConnection();
                 PreparedStatement renew = connection.prepareStatement("UPDATE " + table.getKey() + " SET lease_until = ?"
                         + " WHERE claim_token IN (" + marks + ") AND status = 'pending'")) {
                renew.setTimestamp(1, until);
                for (int i = 0; i < tokens.size(); i++) {
                    renew.setString(i + 2, tokens.get(i));
                }
                renew.executeUpdate();
            } catch (Exception e) {
                LOG.warn("leases of {} not renewed (another instance may take them over when they expire): {}", table.getKey(), e.getMessage());
            }
        }
    }

    /**
     * The longest instance name: a Kubernetes pod's name fits (63 characters), and so does a claim token (the name, a
     * slash and a UUID) in its column (V11) and the name in {@code delivered_by}.
     */
    public static final int MAX_INSTANCE_NAME = 63;

    /** {@code <pid>@<host>}, cut to fit the claim token column beside a UUID. */
    static String instanceName() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException unknown) {
            host = "unknown";
        }
        String name = ProcessHandle.current().pid() + "@" + host;
        return name.length() > MAX_INSTANCE_NAME ? name.substring(0, MAX_INSTANCE_NAME) : name;
    }

    @Override
    public void close() {
        renewer.shutdownNow();
    }
}
