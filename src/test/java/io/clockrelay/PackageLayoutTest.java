package io.clockrelay;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The packages depend downwards in the order of the flow (docs/design.md, "The layout"): the vendors' packages and
 * the request path write into the inbox (the vendors' reconcilers through the reconciliation, which writes into it
 * what the vendors' APIs hold); the process stage reads the inbox and writes deliveries; the delivery
 * engine knows nothing of either. All of them speak {@code record}, which depends on nothing of ours, and use
 * {@code store} and {@code observe}, which depend on nothing either.
 */
class PackageLayoutTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.clockrelay");

    @Test
    void packagesDependOnlyDownwardsInTheOrderOfTheFlow() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("App").definedBy("io.clockrelay", "io.clockrelay.admin..")
                .layer("Sources").definedBy("io.clockrelay.source..")
                .layer("Webhook").definedBy("io.clockrelay.webhook..")
                .layer("Reconcile").definedBy("io.clockrelay.reconcile..")
                .layer("Process").definedBy("io.clockrelay.process..")
                .layer("Inbox").definedBy("io.clockrelay.inbox..")
                .layer("Delivery").definedBy("io.clockrelay.delivery..")
                .layer("Record").definedBy("io.clockrelay.record..")
                .layer("Store").definedBy("io.clockrelay.store..")
                .layer("Observe").definedBy("io.clockrelay.observe..")
                .whereLayer("App").mayNotBeAccessedByAnyLayer()
                .whereLayer("Sources").mayOnlyBeAccessedByLayers("App")
                .whereLayer("Webhook").mayOnlyBeAccessedByLayers("App", "Sources")
                .whereLayer("Reconcile").mayOnlyBeAccessedByLayers("App", "Sources")
                .whereLayer("Process").mayOnlyBeAccessedByLayers("App")
                .whereLayer("Inbox").mayOnlyBeAccessedByLayers("App", "Webhook", "Process", "Reconcile")
                .whereLayer("Delivery").mayOnlyBeAccessedByLayers("App", "Process")
                .check(CLASSES);
    }

    @Test
    void theSharedVocabularyAndTheStoreDependOnNothingOfOurs() {
        for (String leaf : new String[] {"record", "store", "observe"}) {
            noClasses().that().resideInAPackage("io.clockrelay." + leaf + "..")
                    .should().dependOnClassesThat().resideInAnyPackage("io.clockrelay", "io.clockrelay.admin..", "io.clockrelay.source..",
                            "io.clockrelay.webhook..", "io.clockrelay.process..", "io.clockrelay.inbox..", "io.clockrelay.delivery..",
                            "io.clockrelay.reconcile..")
                    .because(leaf + " is shared by every stage and must not tie them together")
                    .check(CLASSES);
        }
    }

    @Test
    void noPackagesFormACircle() {
        slices().matching("io.clockrelay.(*)..").should().beFreeOfCycles().check(CLASSES);
    }
}
