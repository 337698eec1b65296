package io.clockrelay;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.clockrelay.admin.AdminEndpoints;
import io.clockrelay.delivery.DeadLetters;
import io.clockrelay.delivery.HttpClientWithoutRetries;
import io.clockrelay.delivery.Outbox;
import io.clockrelay.delivery.StandardWebhooks;
import io.clockrelay.delivery.Target;
import io.clockrelay.delivery.TargetCatalog;
import io.clockrelay.inbox.FailedWebhooks;
import io.clockrelay.inbox.Inbox;
import io.clockrelay.inbox.InboxWriter;
import io.clockrelay.process.InboxProcessing;
import io.clockrelay.observe.CircuitBreakerGauges;
import io.clockrelay.observe.ClockrelayMetrics;
import io.clockrelay.observe.StoreGauges;
import io.clockrelay.observe.TargetHealthCheck;
import io.clockrelay.reconcile.ReconcileSettings;
import io.clockrelay.reconcile.Reconciler;
import io.clockrelay.reconcile.Reconciliation;
import io.clockrelay.reconcile.ReconciliationHealthCheck;
import io.clockrelay.record.RecordColumns;
import io.clockrelay.record.RecordMapping;
import io.clockrelay.store.Databases;
import io.clockrelay.store.Jobs;
import io.clockrelay.store.Retention;
import io.clockrelay.store.LeaseKeeper;
import io.clockrelay.store.StoreHealthCheck;
import io.clockrelay.webhook.HttpAnswers;
import io.clockrelay.webhook.IntakeLimits;
import io.clockrelay.webhook.WebhookErrors;
import io.clockrelay.webhook.WebhookIntake;
import io.clockrelay.webhook.WebhookRequest;
import io.clockrelay.webhook.WebhookVerifier;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.service.ServiceSupport;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds clockrelay's shared beans once and binds them by the names the routes use: the store and target
 * datasources (migrated by Flyway), the inbox, the outbox and the steps of the receive routes.
 */
public class ClockrelayConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext camelContext) throws Exception {
        PropertiesComponent properties = camelContext.getPropertiesComponent();
        Registry registry = camelContext.getRegistry();
        List<HikariDataSource> pools = new ArrayList<>();

        Clock clock = Clock.systemUTC();
        ObjectMapper json = new ObjectMapper();
        registry.bind("clock", clock);
        registry.bind("objectMapper", json);
        // One registry for Camel's meters and clockrelay's, served on /observe/metrics: Camel's if it made it first.
        MeterRegistry metrics = registry.lookupByNameAndType(MicrometerConstants.METRICS_REGISTRY_NAME, MeterRegistry.class);
        if (metrics == null) {
            metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            registry.bind(MicrometerConstants.METRICS_REGISTRY_NAME, metrics);
        }

        String storeUrl = setting(properties, "clockrelay.store.url");
        HikariDataSource store = Databases.pool("store", storeUrl, setting(properties, "clockrelay.store.user"),
                setting(properties, "clockrelay.store.password"), Integer.parseInt(setting(properties, "clockrelay.store.pool-size")));
        pools.add(store);
        Databases.migrateStore(store);
        registry.bind("storeDataSource", store);
        registry.bind("storeHealthCheck", new StoreHealthCheck(store));

        TargetCatalog targets = TargetCatalog.fromProperties(camelContext);
        // Types, URLs and secrets were checked before the start (ConfigurationCheck).
        for (Target target : targets.all()) {
            if (target.type().equals("jdbc")) {
                bindJdbcTarget(camelContext, target, properties, registry, store, storeUrl, pools);
            }
        }
        ClockrelayMetrics clockrelayMetrics = new ClockrelayMetrics(metrics);
        registry.bind("clockrelayMetrics", clockrelayMetrics);
        // The route files' beans (verifiers, reconcilers) exist by now: they are made before configurations run.
        List<Reconciler> reconcilers = registry.findByType(Reconciler.class).stream()
                .sorted(java.util.Comparator.comparing(Reconciler::source)).toList();
        new StoreGauges(store, clock).register(metrics, targets.all().stream().filter(Target::enabled).map(Target::name).toList(),
                registry.findByType(WebhookVerifier.class).stream().map(WebhookVerifier::source).sorted().toList(),
                reconcilers.stream().map(Reconciler::source).sorted().toList());
        registry.bind("standardWebhooks", new StandardWebhooks(properties, clock));

        registry.bind("webhookRequest", new WebhookRequest(json));
        registry.bind("webhookErrors", new WebhookErrors(clockrelayMetrics));
        InboxWriter inboxWriter = new InboxWriter(store, clock, Databases.dialect(storeUrl));
        registry.bind("webhookIntake", new WebhookIntake(inboxWriter, clockrelayMetrics));
        GracefulShutdown shutdown = registry.lookupByNameAndType(GracefulShutdown.NAME, GracefulShutdown.class);
        String instance = properties.resolveProperty("clockrelay.instance").orElse("");
        LeaseKeeper leases = new LeaseKeeper(store, clock, Duration.ofSeconds(intSetting(properties, "clockrelay.lease-seconds")), instance);
        leases.takeBackClaimsOfAnEarlierLife(!instance.isBlank());
        // The sources whose mapping calls their API are claimed by the enrichment stage, every other by the process stage.
        List<String> enrichSources = List.of(setting(properties, "clockrelay.enrich.sources").trim().split("\\s*,\\s*"));
        Inbox inbox = new Inbox(store, clock, intSetting(properties, "clockrelay.process.batch-size"), leases, shutdown::stopping,
                enrichSources, true, false);
        Inbox enrichInbox = new Inbox(store, clock, intSetting(properties, "clockrelay.enrich.batch-size"), leases, shutdown::stopping,
                enrichSources, false, true);
        RecordMapping recordMapping = new RecordMapping(camelContext, json, metrics);
        int loops = intSetting(properties, "clockrelay.deliver.loops");
        Outbox outbox = new Outbox(store, targets, json, clock, intSetting(properties, "clockrelay.deliver.batch-size"), loops,
                leases, clockrelayMetrics, shutdown::stopping);
        // The deliver route's consumers: CLOCKRELAY_DELIVER_LOOPS for each target, so that a slow target holding its
        // loops leaves the others theirs.
        properties.addOverrideProperty("clockrelay.deliver.threads", String.valueOf(loops * Math.max(1, targets.all().size())));
        registry.bind("inbox", inbox);
        registry.bind("recordMapping", recordMapping);
        registry.bind("outbox", outbox);
        for (TargetHealthCheck check : outbox.healthChecks()) {
            if (targets.get(check.target()).enabled()) {
                registry.bind(check.getId() + "HealthCheck", check);
            }
        }
        registry.bind("inboxProcessing", new InboxProcessing(store, Databases.dialect(storeUrl), inbox, recordMapping, outbox, clockrelayMetrics, shutdown::stopping));
        registry.bind("enrichProcessing", new InboxProcessing(store, Databases.dialect(storeUrl), enrichInbox, recordMapping, outbox,
                clockrelayMetrics, shutdown::stopping, () -> enrichSources.stream().allMatch(recordMapping::canMapNow)));
        camelContext.addStartupListener(new CircuitBreakerGauges(metrics));
        registry.bind("recordColumns", new RecordColumns(json));
        registry.bind("deadLetters", new DeadLetters(store, json, clock));
        registry.bind("failedWebhooks", new FailedWebhooks(store, json, clock));
        Jobs jobs = new Jobs(store, clock);
        registry.bind("jobs", jobs);
        Duration reconcileInterval = ReconcileSettings.duration(setting(properties, "clockrelay.reconcile.interval"));
        Reconciliation reconciliation = new Reconciliation(store, inboxWriter, jobs, clock, clockrelayMetrics, reconcileInterval,
                Duration.ofDays(intSetting(properties, "clockrelay.reconcile.days")), reconcilers);
        registry.bind("reconciliation", reconciliation);
        for (Reconciler reconciler : reconcilers) {
            registry.bind("reconcile" + reconciler.source() + "HealthCheck", new ReconciliationHealthCheck(reconciler, jobs, reconcileInterval, clock));
        }
        registry.bind("retention", new Retention(store, clock, jobs,
                Duration.ofDays(intSetting(properties, "clockrelay.retention.days")),
                Duration.ofDays(intSetting(properties, "clockrelay.retention.deduplication-days")),
                Duration.ofMillis(Long.parseLong(setting(properties, "clockrelay.retention.interval-ms").trim())),
                intSetting(properties, "clockrelay.retention.batch-size"),
                Double.parseDouble(setting(properties, "clockrelay.retention.busy-share").trim()), shutdown::stopping));
        registry.bind("httpClientWithoutRetries", new HttpClientWithoutRetries());

        camelContext.addStartupListener(new AdminEndpoints(properties.resolveProperty("clockrelay.admin.token").orElse("")));
        camelContext.addStartupListener(new StartupReport(targets, reconciliation));
        HttpAnswers httpAnswers = new HttpAnswers(clockrelayMetrics, shutdown::stopping, intakeLimits(properties));
        registry.bind("httpAnswers", httpAnswers);
        camelContext.addStartupListener(httpAnswers);
        camelContext.addService(new StoreCloser(camelContext, pools, leases, List.of(inbox, enrichInbox), outbox));
    }

    /**
     * A JDBC target's pool is bound under the target's name, and its dialect (h2, postgresql, mariadb) is set as
     * {@code clockrelay.target.<name>.dialect} for its route file. An empty url means the store database.
     */
    private static void bindJdbcTarget(CamelContext camelContext, Target target, PropertiesComponent properties, Registry registry,
                                       HikariDataSource store, String storeUrl, List<HikariDataSource> pools) {
        String group = "clockrelay.target." + target.name() + ".";
        String url = properties.resolveProperty(group + "url").orElse("").trim();
        HikariDataSource dataSource = store;
        if (!url.isEmpty() && !url.equals(storeUrl)) {
            dataSource = Databases.targetPool(target.name(), url, properties.resolveProperty(group + "user").orElse(""),
                    properties.resolveProperty(group + "password").orElse(""),
                    Integer.parseInt(properties.resolveProperty(group + "pool-size").orElse("5")),
                    Long.parseLong(properties.resolveProperty(group + "connection-timeout-ms").orElse("5000")));
            pools.add(dataSource);
        }
        String dialect = Databases.dialect(dataSource.getJdbcUrl());
        properties.addInitialProperty(group + "dialect", dialect);
        if (target.enabled() && Boolean.parseBoolean(properties.resolveProperty(group + "create-table").orElse("false"))) {
            Databases.migratePayrollWhenReachable(target.name(), dataSource, dialect, migrations(camelContext), 5);
        }
        registry.bind(target.name(), dataSource);
    }

    /** One thread for the payroll tables that wait for their database (idle unless one was down at the start), stopped with Camel. */
    private static java.util.concurrent.ScheduledExecutorService migrations(CamelContext camelContext) {
        java.util.concurrent.ScheduledExecutorService migrations = camelContext.getRegistry()
                .lookupByNameAndType("payrollMigrations", java.util.concurrent.ScheduledExecutorService.class);
        if (migrations == null) {
            migrations = camelContext.getExecutorServiceManager().newSingleThreadScheduledExecutor(ClockrelayConfiguration.class, "payroll-migrations");
            camelContext.getRegistry().bind("payrollMigrations", migrations);
        }
        return migrations;
    }

    /** The webhook port's limits, as ConfigurationCheck has checked them; an empty in-flight budget is a share of the heap. */
    static IntakeLimits intakeLimits(PropertiesComponent properties) {
        String inFlight = properties.resolveProperty("clockrelay.webhooks.max-in-flight-bytes").orElse("").trim();
        return new IntakeLimits(Long.parseLong(setting(properties, "camel.server.max-body-size").trim()),
                inFlight.isEmpty() ? IntakeLimits.inFlightBytesFromHeap() : Long.parseLong(inFlight),
                intSetting(properties, "clockrelay.webhooks.max-concurrent-requests"),
                intSetting(properties, "clockrelay.webhooks.max-connections"),
                Duration.ofMillis(Long.parseLong(setting(properties, "clockrelay.webhooks.read-timeout-ms").trim())));
    }

    private static String setting(PropertiesComponent properties, String key) {
        return properties.resolveProperty(key).orElseThrow(() -> new IllegalStateException(key + " is not set in application.properties"));
    }

    private static int intSetting(PropertiesComponent properties, String key) {
        return Integer.parseInt(setting(properties, key).trim());
    }

    /**
     * After the routes have stopped: releases what this instance still holds claimed (the rest of a claim left at
     * SIGTERM), so that the next start or another instance takes it at once, then closes the pools. Only when no
     * stage is still at work: a delivery cut short by the shutdown timeout may yet reach its target, so its claim
     * is left to expire rather than handed to another instance now.
     */
    private static final class StoreCloser extends ServiceSupport {
        private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StoreCloser.class);
        private final CamelContext context;
        private final List<HikariDataSource> pools;
        private final LeaseKeeper leases;
        private final List<Inbox> inboxes;
        private final Outbox outbox;

        StoreCloser(CamelContext context, List<HikariDataSource> pools, LeaseKeeper leases, List<Inbox> inboxes, Outbox outbox) {
            this.context = context;
            this.pools = pools;
            this.leases = leases;
            this.inboxes = inboxes;
            this.outbox = outbox;
        }

        @Override
        protected void doStop() {
            try {
                if (GracefulShutdown.stagesIdle(context)) {
                    for (Inbox inbox : inboxes) {
                        inbox.releaseClaims();
                    }
                    outbox.releaseClaims();
                }
            } catch (Exception e) {
                LOG.warn("claims not released at shutdown (their leases expire instead): {}", e.getMessage());
            }
            leases.close();
            pools.forEach(HikariDataSource::close);
            LOG.info("stopped: every accepted webhook is in the store; what is not yet delivered will be at the next start");
        }
    }
}
