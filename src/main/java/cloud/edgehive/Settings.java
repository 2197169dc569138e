package cloud.edgehive;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;

/**
 * Typed reads of the service's configuration. Every key lives in application.properties and can be
 * overridden by its environment variable (dots and dashes become underscores, upper case).
 */
public final class Settings {

    private final PropertiesComponent properties;

    public Settings(CamelContext context) {
        this.properties = context.getPropertiesComponent();
    }

    public Optional<String> optional(String key) {
        return properties.resolveProperty(key).map(String::trim).filter(v -> !v.isEmpty());
    }

    public String text(String key, String fallback) {
        return optional(key).orElse(fallback);
    }

    /** A key the service cannot run without; the message names the key and its environment variable. */
    public String required(String key) {
        return optional(key).orElseThrow(() -> new IllegalStateException(
                "Missing configuration: " + key + " (environment variable " + envName(key) + ")"));
    }

    /** A key whose default lives in application.properties (the only place defaults live). */
    public String text(String key) {
        return required(key);
    }

    public int integer(String key) {
        return parse(key, required(key), Integer::parseInt);
    }

    public long number(String key) {
        return parse(key, required(key), Long::parseLong);
    }

    public boolean flag(String key) {
        return Boolean.parseBoolean(required(key));
    }

    public Duration seconds(String key) {
        return Duration.ofSeconds(number(key));
    }

    public Duration days(String key) {
        return Duration.ofDays(number(key));
    }

    public int integer(String key, int fallback) {
        return optional(key).map(v -> parse(key, v, Integer::parseInt)).orElse(fallback);
    }

    public long number(String key, long fallback) {
        return optional(key).map(v -> parse(key, v, Long::parseLong)).orElse(fallback);
    }

    public boolean flag(String key, boolean fallback) {
        return optional(key).map(Boolean::parseBoolean).orElse(fallback);
    }

    public Duration seconds(String key, long fallbackSeconds) {
        return Duration.ofSeconds(number(key, fallbackSeconds));
    }

    public List<String> list(String key) {
        return optional(key).map(v -> Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList())
                .orElse(List.of());
    }

    public static String envName(String key) {
        return key.toUpperCase().replace('.', '_').replace('-', '_');
    }

    private static <T> T parse(String key, String value, java.util.function.Function<String, T> parser) {
        try {
            return parser.apply(value);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("Configuration " + key + " must be a number, got '" + value + "'");
        }
    }
}
