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
        create().run(args);
    }

    public static org.apache.camel.main.Main create() {
        org.apache.camel.main.Main main = new org.apache.camel.main.Main();
        main.configure().addConfiguration(ClockrelayConfiguration.class);
        main.addMainListener(new RoutesFolder());
        return main;
    }

    /**
     * Adds CLOCKRELAY_ROUTES_DIR to the route files (and its application.properties, if it has one, to the
     * settings), only when it is set, and refuses a folder that does not exist
     * (a file: pattern for a missing folder would otherwise stop the start with a less helpful error). Runs before
     * Camel applies its settings, so the pattern is given as an override of application.properties.
     */
    static final class RoutesFolder extends MainListenerSupport {
        private static final String PATTERN = "camel.main.routes-include-pattern";

        @Override
        public void beforeConfigure(BaseMainSupport main) {
            var properties = main.getCamelContext().getPropertiesComponent();
            String folder = properties.resolveProperty("clockrelay.routes.dir").orElse("").trim();
            if (folder.isEmpty()) {
                return;
            }
            Path path = Path.of(folder).toAbsolutePath().normalize();
            if (!Files.isDirectory(path)) {
                throw new IllegalStateException("CLOCKRELAY_ROUTES_DIR is " + path + ", which is not a folder: create it or unset the variable");
            }
            String builtin = properties.resolveProperty(PATTERN).orElseThrow();
            main.addOverrideProperty(PATTERN, builtin + ",file:" + path + "/*.camel.yaml");
            // The folder's own settings (its targets' groups), beside its route files.
            if (Files.isRegularFile(path.resolve("application.properties"))) {
                properties.addLocation("file:" + path.resolve("application.properties"));
            }
        }
    }
}
