package io.clockrelay;

import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;

import java.nio.file.Files;
import java.nio.file.Path;

/** Starts clockrelay: Camel Main with application.properties, the YAML routes and {@link ClockrelayConfiguration}. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        try {
            create().run(args);
        } catch (ConfigurationCheck.InvalidConfiguration wrongSettings) {
            // The lines an operator needs, without a stack trace; the exit status tells a supervisor not to restart blindly.
            System.err.println(wrongSettings.getMessage());
            System.exit(2);
        }
    }

    public static org.apache.camel.main.Main create() {
        org.apache.camel.main.Main main = new org.apache.camel.main.Main();
        main.configure().addConfiguration(ClockrelayConfiguration.class);
        main.addMainListener(new RoutesFolder());
        main.addMainListener(new WebhookPort());
        main.addMainListener(new GracefulShutdown());
        return main;
    }

    /**
     * Sets the route files: the built-in ones ({@code clockrelay.routes.builtin}) and, when CLOCKRELAY_ROUTES_DIR is
     * set, that folder's (with its application.properties, if it has one, among the settings). Then checks every
     * setting ({@link ConfigurationCheck}) before anything is built: a file: pattern for a missing folder, for one,
     * would otherwise stop the start with a less helpful error.
     */
    static final class RoutesFolder extends MainListenerSupport {
        private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RoutesFolder.class);

        @Override
        public void beforeConfigure(BaseMainSupport main) {
            var properties = main.getCamelContext().getPropertiesComponent();
            String pattern = properties.resolveProperty("clockrelay.routes.builtin").orElseThrow();
            String folder = properties.resolveProperty("clockrelay.routes.dir").orElse("").trim();
            Path path = folder.isEmpty() ? null : Path.of(folder).toAbsolutePath().normalize();
            if (path != null && Files.isRegularFile(path.resolve("application.properties"))) {
                properties.addLocation("file:" + path.resolve("application.properties"));
            }
            ConfigurationCheck.verify(properties);
            if (path != null) {
                pattern += ",file:" + path + "/*.camel.yaml";
                if (Boolean.parseBoolean(properties.resolveProperty("clockrelay.dev").orElse("false").trim())) {
                    // Each changed file's routes are replaced alone: Camel 4.18's remove-all mode fails on files
                    // holding several routes (duplicate route id, CAMEL-24866).
                    main.configure().setRoutesReloadEnabled(true);
                    main.configure().setRoutesReloadDirectory(path.toString());
                    main.configure().setRoutesReloadPattern("*.camel.yaml");
                    main.configure().setRoutesReloadRemoveAllRoutes(false);
                    LOG.info("CLOCKRELAY_DEV: route files in {} are reloaded when they change", path);
                }
            }
            main.configure().setRoutesIncludePattern(pattern);
        }
    }
}
