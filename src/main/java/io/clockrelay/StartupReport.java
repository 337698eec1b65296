package io.clockrelay;

import io.clockrelay.delivery.Target;
import io.clockrelay.delivery.TargetCatalog;
import io.clockrelay.reconcile.ReconcileSettings;
import io.clockrelay.reconcile.Reconciler;
import io.clockrelay.reconcile.Reconciliation;
import io.clockrelay.webhook.WebhookVerifier;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Comparator;

/** One screen at start: where clockrelay listens, which vendors are configured and which variable enables each. */
final class StartupReport implements StartupListener {

    private static final Logger LOG = LoggerFactory.getLogger(StartupReport.class);

    private final TargetCatalog targets;
    private final Reconciliation reconciliation;

    StartupReport(TargetCatalog targets, Reconciliation reconciliation) {
        this.targets = targets;
        this.reconciliation = reconciliation;
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
        var properties = context.getPropertiesComponent();
        StringBuilder report = new StringBuilder("clockrelay is ready\n");
        report.append("  webhooks    http://0.0.0.0:").append(properties.resolveProperty("camel.server.port").orElse("?")).append("/webhooks/<vendor>\n");
        report.append("  management  http://0.0.0.0:").append(properties.resolveProperty("camel.management.port").orElse("?"))
                .append("/observe/health, /observe/metrics\n");
        report.append("  store       ").append(withoutSettings(properties.resolveProperty("clockrelay.store.url").orElse("?"))).append('\n');
        context.getRegistry().findByType(WebhookVerifier.class).stream()
                .sorted(Comparator.comparing(WebhookVerifier::source))
                .forEach(verifier -> report.append(String.format("  vendor      %-11s %s%n", verifier.source(),
                        verifier.isConfigured()
                                ? "configured (" + verifier.secretSetting() + " is set): POST /webhooks/" + verifier.source()
                                : "NOT configured: set " + verifier.secretSetting() + " to accept its webhooks (until then: 503)")));
        for (Reconciler reconciler : reconciliation.reconcilers()) {
            report.append(String.format("  reconcile   %-11s %s%n", reconciler.source(), reconciler.isConfigured()
                    ? "every " + ReconcileSettings.words(reconciliation.interval()) + ", the last " + reconciliation.window().toDays()
                    + " days (POST /admin/reconcile?source=" + reconciler.source() + " for a run now)"
                    : "not reconciled: " + reconciler.notConfigured()));
        }
        for (Target target : targets.all()) {
            report.append(String.format("  target      %-11s %s%n", target.name(), target.enabled() ? "enabled" : "disabled"));
        }
        LOG.info(report.toString().stripTrailing());
    }

    /** A JDBC URL without its ;settings or ?parameters, which may carry credentials. */
    private static String withoutSettings(String url) {
        return url.split("[;?]", 2)[0];
    }
}
