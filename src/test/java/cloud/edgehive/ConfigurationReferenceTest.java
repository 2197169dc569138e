package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The configuration reference (docs/configuration.md, linked from the README), application.properties
 * and docker-compose.yml describe the same keys: a key added to one and forgotten in another fails here.
 */
class ConfigurationReferenceTest {

    private static final Set<String> AWS_SDK_VARIABLES = Set.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY");

    @Test
    void everyApplicationKeyIsInTheReferenceTableWithItsDefault() throws IOException {
        String readme = Files.readString(Path.of("docs/configuration.md"));
        assertTrue(Files.readString(Path.of("README.md")).contains("(docs/configuration.md)"), "the README links the reference");
        Properties properties = applicationProperties();
        List<String> missing = new ArrayList<>();
        for (String key : new TreeSet<>(properties.stringPropertyNames())) {
            if (key.startsWith("camel.main.") || key.startsWith("camel.rest.") || key.startsWith("camel.health.")
                    || key.startsWith("camel.metrics.") || key.startsWith("camel.mdc.")
                    || List.of("camel.server.enabled", "camel.management.enabled", "camel.management.healthCheckEnabled",
                            "camel.management.metricsEnabled").contains(key)) {
                continue;
            }
            String value = properties.getProperty(key).trim();
            Matcher fromEnv = Pattern.compile("\\{\\{env:([A-Z0-9_]+):(.*)}}").matcher(value);
            if (fromEnv.matches()) {
                assertEquals(Settings.envName(key), fromEnv.group(1), key + " must read its own variable");
                value = fromEnv.group(2);
            }
            String row = "| `" + key + "` | `" + Settings.envName(key) + "` | ";
            if (!readme.contains(row)) {
                missing.add(key + " (row starting " + row + ")");
            } else if (!value.isEmpty() && !readme.contains(row + "`" + value + "`")) {
                missing.add(key + " (default `" + value + "`)");
            }
        }
        assertEquals(List.of(), missing, "docs/configuration.md is out of date");
    }

    @Test
    void everyComposeVariableIsAConfigurationKey() throws IOException {
        Properties properties = applicationProperties();
        Set<String> variables = new TreeSet<>();
        properties.stringPropertyNames().forEach(k -> variables.add(Settings.envName(k)));
        String compose = Files.readString(Path.of("docker-compose.yml"));
        String service = compose.substring(compose.indexOf("  edge-hive:"), compose.indexOf("\n  moto:"));
        Matcher m = Pattern.compile("(?m)^      ([A-Z0-9_]+):").matcher(service.substring(service.indexOf("environment:")));
        List<String> unknown = new ArrayList<>();
        int seen = 0;
        while (m.find()) {
            seen++;
            if (!variables.contains(m.group(1)) && !AWS_SDK_VARIABLES.contains(m.group(1))) {
                unknown.add(m.group(1));
            }
        }
        assertTrue(seen > 5, "compose environment was parsed");
        assertEquals(List.of(), unknown, "docker-compose.yml sets variables that are not configuration keys");
    }

    @Test
    void theLocalOverlayOnlySetsKnownKeys() throws IOException {
        Properties application = applicationProperties();
        Properties local = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of("local.properties"))) {
            local.load(reader);
        }
        List<String> unknown = new ArrayList<>();
        for (String key : new TreeSet<>(local.stringPropertyNames())) {
            if (!key.startsWith("camel.") && !application.containsKey(key)) {
                unknown.add(key);
            }
        }
        assertTrue(local.size() > 5, "local.properties was read");
        assertEquals(List.of(), unknown, "local.properties sets keys application.properties (and docs/configuration.md) do not know");
    }

    private static Properties applicationProperties() throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of("application.properties"))) {
            properties.load(reader);
        }
        return properties;
    }
}
