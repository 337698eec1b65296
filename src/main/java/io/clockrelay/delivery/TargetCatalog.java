package io.clockrelay.delivery;

import org.apache.camel.CamelContext;
import org.apache.camel.Predicate;
import org.apache.camel.spi.PropertiesComponent;

import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** The targets declared in configuration, one group of {@code clockrelay.target.<name>.*} settings each. */
public class TargetCatalog {

    static final String PREFIX = "clockrelay.target.";

    private final Map<String, Target> targets;

    public TargetCatalog(Map<String, Target> targets) {
        this.targets = targets;
    }

    public static TargetCatalog fromProperties(CamelContext camelContext) {
        PropertiesComponent properties = camelContext.getPropertiesComponent();
        Map<String, Target> targets = new TreeMap<>();
        for (String name : names(properties)) {
            String group = PREFIX + name + ".";
            targets.put(name, new Target(name,
                    setting(properties, group + "type", "route"),
                    Boolean.parseBoolean(setting(properties, group + "enabled", "true")),
                    Boolean.parseBoolean(setting(properties, group + "batch", "false")),
                    list(setting(properties, group + "sources", "")),
                    list(setting(properties, group + "entities", "")),
                    list(setting(properties, group + "event-types", "")),
                    filter(camelContext, group + "filter", setting(properties, group + "filter", "")),
                    camelContext,
                    new RetrySchedule(
                            Duration.ofMillis(Long.parseLong(setting(properties, group + "retry.initial-delay-ms", "5000"))),
                            Duration.ofMillis(Long.parseLong(setting(properties, group + "retry.max-delay-ms", "3600000"))),
                            Duration.ofMillis(Long.parseLong(setting(properties, group + "retry.max-age-ms", "86400000"))))));
        }
        return new TargetCatalog(targets);
    }

    /** The names of the declared targets: every {@code clockrelay.target.<name>.*} group. */
    public static Set<String> names(PropertiesComponent properties) {
        Properties all = properties.loadProperties(key -> key.startsWith(PREFIX));
        // A group may also come as -D options (java -Dclockrelay.target.audit.enabled=true -jar ...).
        System.getProperties().stringPropertyNames().stream().filter(key -> key.startsWith(PREFIX))
                .forEach(key -> all.setProperty(key, System.getProperty(key)));
        return all.stringPropertyNames().stream()
                .map(key -> key.substring(PREFIX.length()))
                .filter(rest -> rest.contains("."))
                .map(rest -> rest.substring(0, rest.indexOf('.')))
                .collect(Collectors.toCollection(java.util.TreeSet::new));
    }

    public Collection<Target> all() {
        return targets.values();
    }

    public Target get(String name) {
        Target target = targets.get(name);
        if (target == null) {
            throw new IllegalStateException("no target named '" + name + "': declare clockrelay.target." + name + ".enabled");
        }
        return target;
    }

    private static Predicate filter(CamelContext camelContext, String setting, String expression) {
        if (expression.isEmpty()) {
            return null;
        }
        try {
            // Not resolved as a placeholder: ${...} is the simple language's own syntax.
            return camelContext.resolveLanguage("simple").createPredicate(expression);
        } catch (RuntimeException e) {
            throw new IllegalStateException(setting + " is not a valid Camel simple predicate: " + e.getMessage(), e);
        }
    }

    private static String setting(PropertiesComponent properties, String key, String fallback) {
        return properties.resolveProperty(key).map(String::trim).orElse(fallback);
    }

    private static Set<String> list(String value) {
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
    }
}
