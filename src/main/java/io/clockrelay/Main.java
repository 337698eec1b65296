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
     * Sets the route files: the built-in ones ({@code clockrelay.routes.builtin}) and, when CLOCKRELAY_ROUTES_DIR is
     * set, that folder's (with its application.properties, if it has one, among the settings). A folder that does
     * not exist is refused with the setting named (a file: pattern for a missing folder would otherwise stop the
     * start with a less helpful error).
     */
    static final class RoutesFolder extends MainListenerSupport {
        @Override
        public void beforeConfigure(BaseMainSupport main) {
            var properties = main.getCamelContext().getPropertiesComponent();
            String pattern = properties.resolveProperty("clockrelay.routes.builtin").orElseThrow();
            String folder = properties.resolveProperty("clockrelay.routes.dir").orElse("").trim();
            if (!folder.isEmpty()) {
                Path path = Path.of(folder).toAbsolutePath().normalize();
                if (!Files.isDirectory(path)) {
                    throw new IllegalStateException("CLOCKRELAY_ROUTES_DIR is " + path + ", which is not a folder: create it or unset the variable");
                }
                pattern += ",file:" + path + "/*.camel.yaml";
                if (Files.isRegularFile(path.resolve("application.properties"))) {
                    properties.addLocation("file:" + path.resolve("application.properties"));
                }
            }
            main.configure().setRoutesIncludePattern(pattern);
        }
    }
}
