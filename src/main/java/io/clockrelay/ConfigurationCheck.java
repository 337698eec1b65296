package io.clockrelay;

import io.clockrelay.delivery.StandardWebhooks;
import io.clockrelay.delivery.TargetCatalog;
import io.clockrelay.store.Databases;
import io.clockrelay.webhook.IntakeLimits;
import org.apache.camel.spi.PropertiesComponent;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks the settings before anything starts, and refuses to start with one line per problem, each naming the
 * setting (the environment variable when it comes from one) and the fix. A vendor without its secret is no problem:
 * its endpoint answers 503 naming the variable.
 */
final class ConfigurationCheck {

    static final int MIN_SECRET_LENGTH = 16;
    private static final Set<String> TARGET_TYPES = Set.of("jdbc", "http", "route");
    private static final Pattern ENV = Pattern.compile("\\{\\{env:([A-Za-z0-9_]+)");
    private static final String STORE_URL = "clockrelay.store.url";
    private static final String STORE_USER = "clockrelay.store.user";
    private static final String STORE_PASSWORD = "clockrelay.store.password";
    private static final String PLACEHOLDER = "CHANGE-ME";
    private static final String STORE_URLS = "use jdbc:postgresql://host/db or jdbc:h2:file:./path";

    private final PropertiesComponent properties;
    private final Properties raw;
    private final List<String> problems = new ArrayList<>();
    /** Settings already reported as a CHANGE-ME placeholder: no second line about them. */
    private final Set<String> placeholders = new HashSet<>();

    private ConfigurationCheck(PropertiesComponent properties) {
        this.properties = properties;
        this.raw = templates();
    }

    /** Throws one exception listing every problem found, or returns when there is none. */
    static void verify(PropertiesComponent properties) {
        ConfigurationCheck check = new ConfigurationCheck(properties);
        check.run();
        if (!check.problems.isEmpty()) {
            throw new InvalidConfiguration(check.problems);
        }
    }

    private void run() {
        placeholders();
        routesFolder();
        keystore();
        boolean storeUrlValid = storeUrl();
        port("camel.server.port");
        port("camel.management.port");
        intakeLimits();
        httpUrl("clockrelay.clockodo.api-url");
        for (String secrets : List.of("clockrelay.clockeye.secrets", "clockrelay.connecteam.secrets", "clockrelay.clockodo.tokens",
                "clockrelay.admin.token")) {
            if (!placeholders.contains(secrets)) {
                longEnough(secrets, value(secrets));
            }
        }
        for (String target : TargetCatalog.names(properties)) {
            target(target);
        }
        instance();
        clockodo();
        connecteamTimeOffTypes();
        reconciliation();
        retentionShare();
        // Last, and only with settings that may work: it opens a connection, which takes a moment.
        if (storeUrlValid && !placeholders.contains(STORE_USER) && !placeholders.contains(STORE_PASSWORD)) {
            String problem = new StoreConnectionCheck(name(STORE_URL), name(STORE_USER), name(STORE_PASSWORD))
                    .problem(value(STORE_URL), value(STORE_USER), value(STORE_PASSWORD));
            if (problem != null) {
                problems.add(problem);
            }
        }
    }

    /** The instance's name goes into every claim token beside a UUID, and the column holds 64 characters. */
    private void instance() {
        String instance = value("clockrelay.instance");
        if (instance.length() > io.clockrelay.store.LeaseKeeper.MAX_INSTANCE_NAME) {
            problems.add(name("clockrelay.instance") + " is " + instance.length() + " characters long: use at most "
                    + io.clockrelay.store.LeaseKeeper.MAX_INSTANCE_NAME + ", e.g. the pod's name (empty: <pid>@<host>)");
        }
    }

    /** Clockodo's SDK refuses an external application over 50 characters; its zone must be one Java knows. */
    private void clockodo() {
        String application = value("clockrelay.clockodo.external-application");
        if (application.length() > 50) {
            problems.add(name("clockrelay.clockodo.external-application") + " is " + application.length()
                    + " characters long, Clockodo allows 50: use a short name;e-mail, e.g. clockrelay;ops@example.com");
        }
        String zone = value("clockrelay.clockodo.default-timezone");
        try {
            java.time.ZoneId.of(zone);
        } catch (java.time.DateTimeException unknown) {
            problems.add(name("clockrelay.clockodo.default-timezone") + " is '" + zone + "', not a time zone: use an IANA name such as Europe/Berlin");
        }
    }

    /** How often and how far back reconciliation looks, and Connecteam's API address when its key is set. */
    private void reconciliation() {
        try {
            java.time.Duration interval = io.clockrelay.reconcile.ReconcileSettings.duration(value("clockrelay.reconcile.interval"));
            if (interval.compareTo(java.time.Duration.ofMinutes(1)) < 0) {
                problems.add(name("clockrelay.reconcile.interval") + " is shorter than a minute: use 1h (the default) or at least 1m");
            }
        } catch (IllegalArgumentException unreadable) {
            problems.add(name("clockrelay.reconcile.interval") + ": " + unreadable.getMessage());
        }
        String days = value("clockrelay.reconcile.days");
        if (!days.matches("[0-9]{1,3}") || Integer.parseInt(days) < 1 || Integer.parseInt(days) > 400) {
            problems.add(name("clockrelay.reconcile.days") + " is '" + days + "': use a number of days from 1 to 400 (default 35)");
        }
        if (!value("clockrelay.connecteam.api-key").isEmpty()) {
            httpUrl("clockrelay.connecteam.api-url");
        }
    }

    /** The share of the store's time a retention pass may take: above 0, at most 1. */
    private void retentionShare() {
        String share = value("clockrelay.retention.busy-share");
        try {
            double value = Double.parseDouble(share);
            if (value > 0 && value <= 1) {
                return;
            }
        } catch (NumberFormatException notANumber) {
            // said below
        }
        problems.add(name("clockrelay.retention.busy-share") + " is '" + share + "': use a number above 0 and at most 1, e.g. 0.2 (the default)");
    }

    /** {@code <policyTypeId>:<absenceType>,...}, each absence type one of the record's vocabulary. */
    private void connecteamTimeOffTypes() {
        List<String> wrong = new ArrayList<>();
        for (String pair : value("clockrelay.connecteam.time-off-types").split(",")) {
            int colon = pair.lastIndexOf(':');
            String type = colon > 0 ? pair.substring(colon + 1).trim() : "";
            if (!pair.isBlank() && (colon <= 0 || io.clockrelay.record.AbsenceType.named(type) == null)) {
                wrong.add("'" + pair.trim() + "'");
            }
        }
        if (!wrong.isEmpty()) {
            problems.add(name("clockrelay.connecteam.time-off-types") + " holds " + String.join(", ", wrong) + ": write <policyTypeId>:<absenceType>,"
                    + " the type one of " + java.util.Arrays.toString(io.clockrelay.record.AbsenceType.values()));
        }
    }

    /**
     * The example Kubernetes Secret (deploy/kubernetes/secret.yaml) ships CHANGE-ME for every credential: none of
     * them may reach a vendor, Clockodo's API or a database, wherever it comes from (environment, a routes folder).
     */
    private void placeholders() {
        Set<String> keys = new TreeSet<>(raw.stringPropertyNames());
        keys.addAll(properties.loadProperties().stringPropertyNames());
        Set<String> named = new HashSet<>();
        for (String key : keys) {
            String setting;
            try {
                setting = value(key);
            } catch (RuntimeException unresolvable) {
                continue;
            }
            if (Arrays.stream(setting.split(",")).anyMatch(part -> part.trim().equalsIgnoreCase(PLACEHOLDER))) {
                placeholders.add(key);
                if (named.add(name(key))) {
                    problems.add(name(key) + " is still " + PLACEHOLDER + ", the example's placeholder: set the real value");
                }
            }
        }
    }

    private void routesFolder() {
        String folder = value("clockrelay.routes.dir");
        if (!folder.isEmpty() && !Files.isDirectory(Path.of(folder))) {
            problems.add(name("clockrelay.routes.dir") + " is " + Path.of(folder).toAbsolutePath().normalize()
                    + ", which is not a folder: create it or unset the variable");
        }
    }

    private void keystore() {
        String file = value("clockrelay.tls.keystore");
        if (file.isEmpty()) {
            return;
        }
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            KeyStore.getInstance("PKCS12").load(in, value("clockrelay.tls.keystore-password").toCharArray());
        } catch (Exception unreadable) {
            problems.add(name("clockrelay.tls.keystore") + " (" + file + ") cannot be opened as PKCS12 with "
                    + name("clockrelay.tls.keystore-password") + " (" + unreadable.getClass().getSimpleName()
                    + "): check the file and its password, or unset it to serve plain HTTP behind a TLS proxy");
        }
    }

    private void target(String target) {
        String group = "clockrelay.target." + target + ".";
        String type = value(group + "type").isEmpty() ? "route" : value(group + "type");
        if (!TARGET_TYPES.contains(type)) {
            problems.add(name(group + "type") + " is '" + type + "': use jdbc, http or route");
            return;
        }
        if (!Boolean.parseBoolean(value(group + "enabled").isEmpty() ? "true" : value(group + "enabled"))) {
            return;
        }
        if (type.equals("jdbc") && !value(group + "url").isEmpty()) {
            jdbcUrl(group + "url");
        }
        if (type.equals("http")) {
            httpUrl(group + "url");
            try {
                for (byte[] key : StandardWebhooks.parse(name(group + "secret"), value(group + "secret"))) {
                    if (key.length < MIN_SECRET_LENGTH) {
                        problems.add(name(group + "secret") + " holds a key of " + key.length + " bytes: use at least "
                                + MIN_SECRET_LENGTH + ", e.g. echo whsec_$(head -c 32 /dev/urandom | base64)");
                    }
                }
            } catch (IllegalStateException malformed) {
                problems.add(malformed.getMessage());
            }
        }
    }

    /** The store's migrations and claim queries exist for H2 and PostgreSQL; MariaDB's SQL is the payroll table's only. */
    private boolean storeUrl() {
        String url = value(STORE_URL);
        String dialect;
        try {
            dialect = Databases.dialect(url);
        } catch (IllegalArgumentException unsupported) {
            dialect = null;
        }
        if (dialect == null) {
            problems.add(name(STORE_URL) + " is not a supported JDBC URL (it starts '" + scheme(url) + "'): " + STORE_URLS);
        } else if (dialect.equals("mariadb")) {
            problems.add(name(STORE_URL) + " is a MariaDB URL, but the store is H2 or PostgreSQL (MariaDB is a payroll target only): "
                    + STORE_URLS);
        }
        return dialect != null && !dialect.equals("mariadb");
    }

    private void jdbcUrl(String key) {
        String url = value(key);
        try {
            Databases.dialect(url);
        } catch (IllegalArgumentException unsupported) {
            // Only the URL's scheme: the rest may carry a password.
            problems.add(name(key) + " is not a supported JDBC URL (it starts '" + scheme(url)
                    + "'): use jdbc:postgresql://host/db, jdbc:mariadb://host/db or jdbc:h2:file:./path");
        }
    }

    private void httpUrl(String key) {
        String url = value(key);
        String problem = null;
        if (url.isEmpty()) {
            problem = "is not set";
        } else {
            try {
                // Never the URL itself in the message: its user info, path or query may carry a token.
                URI uri = new URI(url);
                if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
                    problem = "is not an http or https URL (it starts '" + scheme(url) + "')";
                } else if (uri.getHost() == null && uri.getRawAuthority() == null) {
                    problem = "names no host";
                }
            } catch (URISyntaxException malformed) {
                problem = "is not a valid URL (" + malformed.getReason() + " at character " + malformed.getIndex() + ")";
            }
        }
        if (problem != null) {
            problems.add(name(key) + " " + problem + ": set it to an address such as https://host/path");
        }
    }

    /** What a URL starts with, up to its first ':' (at most 20 characters), for messages. */
    private static String scheme(String url) {
        String scheme = url.contains(":") ? url.substring(0, url.indexOf(':') + 1) : url;
        return scheme.length() > 20 ? scheme.substring(0, 20) + "…" : scheme;
    }

    private void port(String key) {
        String port = value(key);
        int number;
        try {
            number = Integer.parseInt(port);
        } catch (NumberFormatException notANumber) {
            number = -1;
        }
        if (number < 0 || number > 65535) {
            problems.add(name(key) + " is '" + port + "', not a port number: use 1 to 65535");
            return;
        }
        // Vert.x only logs a port it cannot bind, and the app would run without listening.
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(number));
        } catch (IOException taken) {
            problems.add(name(key) + " is " + number + ", which another process is listening on: stop it or choose another port");
        }
    }

    /**
     * The webhook port's limits are positive whole numbers, and the in-flight budget holds at least one body of the
     * largest size allowed (else such a body could never be read, only answered 503 for ever).
     */
    private void intakeLimits() {
        long maxBody = positive("camel.server.max-body-size", "e.g. 262144");
        positive("clockrelay.webhooks.max-concurrent-requests", "e.g. 64");
        positive("clockrelay.webhooks.max-connections", "e.g. 1000");
        positive("clockrelay.webhooks.read-timeout-ms", "e.g. 10000");
        String budgetKey = "clockrelay.webhooks.max-in-flight-bytes";
        long budget = value(budgetKey).isEmpty() ? IntakeLimits.inFlightBytesFromHeap() : positive(budgetKey, "or leave it empty for a sixteenth of the heap");
        if (maxBody > 0 && budget > 0 && budget < maxBody) {
            problems.add(value(budgetKey).isEmpty()
                    ? name(budgetKey) + " is empty, so a sixteenth of the heap (" + budget + " bytes), which is less than " + name("camel.server.max-body-size")
                            + " (" + maxBody + "): no body of that size could be read: lower " + name("camel.server.max-body-size")
                            + ", or raise -Xmx or " + name(budgetKey)
                    : name(budgetKey) + " is " + budget + ", less than " + name("camel.server.max-body-size") + " (" + maxBody
                            + "): no body of that size could be read: set it to at least " + maxBody);
        }
    }

    /** The setting as a number above 0, or -1 after adding the problem. */
    private long positive(String key, String example) {
        String setting = value(key);
        try {
            long number = Long.parseLong(setting);
            if (number > 0 && number <= Integer.MAX_VALUE) {
                return number;
            }
        } catch (NumberFormatException notANumber) {
            // reported below
        }
        problems.add(name(key) + " is '" + setting + "', not a whole number from 1 to " + Integer.MAX_VALUE + ": set one, " + example);
        return -1;
    }

    private void longEnough(String key, String setting) {
        for (String secret : setting.split(",")) {
            String trimmed = secret.trim();
            if (!trimmed.isEmpty() && trimmed.length() < MIN_SECRET_LENGTH) {
                // The length only: a secret's value, or any part of it, never appears in a message.
                problems.add(name(key) + " holds a value of " + trimmed.length() + " characters: use at least " + MIN_SECRET_LENGTH
                        + " random characters, e.g. openssl rand -hex 32");
            }
        }
    }

    private String value(String key) {
        return properties.resolveProperty(key).map(String::trim).orElse("");
    }

    /** The environment variable a setting comes from (its {{env:NAME}} placeholder), or the setting's own name. */
    private String name(String key) {
        String template = raw.getProperty(key);
        if (template != null) {
            Matcher env = ENV.matcher(template);
            if (env.find()) {
                return env.group(1);
            }
        }
        return key;
    }

    /** The built-in settings as written, with their {{env:NAME:default}} placeholders. */
    private static Properties templates() {
        Properties templates = new Properties();
        try (InputStream in = ConfigurationCheck.class.getResourceAsStream("/application.properties")) {
            if (in != null) {
                templates.load(in);
            }
        } catch (IOException unreadable) {
            // the messages then name the settings instead of their variables
        }
        return templates;
    }

    /** The settings that stop the start, one line each. */
    static final class InvalidConfiguration extends IllegalStateException {
        InvalidConfiguration(List<String> problems) {
            super("clockrelay cannot start: " + problems.size() + " setting(s) to fix\n  " + String.join("\n  ", problems));
        }
    }
}
