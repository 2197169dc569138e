package cloud.edgehive.ops;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.apache.camel.CamelContext;
import org.apache.camel.ExtendedCamelContext;
import org.apache.camel.spi.PropertiesComponent;

/**
 * Which configuration keys hold secrets, by name: the key's last segment ends in {@code secret},
 * {@code token}, {@code password}, {@code api-key}, {@code private-key} or {@code credentials}
 * ({@code stripe.webhook-secret}, {@code node.token-secret}, {@code auth.jwt.secret},
 * {@code mail.smtp.password}, {@code stripe.api-key}, {@code resend.api-key},
 * {@code cloudflare.api-token}, and any key named like them later).
 * <p>
 * Why this exists: camel-main logs a "Property-placeholders summary" at start-up with the value of
 * every property it looked up, masking only keys whose last segment is one of Camel's own sensitive
 * words ({@code SensitiveUtils}: {@code secret}, {@code password}, {@code apikey}, {@code token}…,
 * compared whole, so {@code webhook-secret} and {@code token-secret} are printed in clear). Camel
 * also masks keys listed in the context's additional sensitive keywords, so every key this rule
 * recognises is registered there the moment it is looked up (and every such key already known at
 * wiring time): the summary, Camel's endpoint-URI sanitising and its masking formatter then all
 * treat it as secret, whichever source (file, environment, {@code {{aws:…}}}) gave its value.
 */
public final class SecretKeys {

    private static final List<String> SECRET_ENDINGS = List.of("secret", "token", "password", "apikey", "privatekey", "credentials");

    private SecretKeys() {
    }

    /** True for a key whose name marks it as a secret. */
    public static boolean isSecret(String key) {
        if (key == null) {
            return false;
        }
        String segment = normalised(key);
        return SECRET_ENDINGS.stream().anyMatch(segment::endsWith);
    }

    /**
     * Registers every secret key already known (the property files and overrides) with Camel as
     * sensitive, and every one looked up from now on, before camel-main prints its summary.
     */
    public static void protect(CamelContext context) {
        PropertiesComponent properties = context.getPropertiesComponent();
        Set<String> known = new LinkedHashSet<>();
        properties.loadProperties(SecretKeys::isSecret).stringPropertyNames().forEach(known::add);
        known.forEach(key -> register(context, key));
        properties.addPropertiesLookupListener((name, value, defaultValue, source) -> {
            if (isSecret(name)) {
                register(context, name);
            }
        });
    }

    /**
     * Camel compares the key's last segment (lower case, dashes removed) against its keyword list
     * with {@code contains}, so the list holds exactly that normalised segment.
     */
    private static synchronized void register(CamelContext context, String key) {
        ExtendedCamelContext extension = context.getCamelContextExtension();
        String word = normalised(key);
        String current = extension.getAdditionalSensitiveKeywords();
        Set<String> words = new LinkedHashSet<>();
        if (current != null && !current.isBlank()) {
            words.addAll(List.of(current.toLowerCase(Locale.ENGLISH).split(",")));
        }
        if (words.add(word)) {
            extension.setAdditionalSensitiveKeywords(String.join(",", words));
        }
    }

    private static String normalised(String key) {
        String segment = key.substring(key.lastIndexOf('.') + 1);
        return segment.toLowerCase(Locale.ENGLISH).replace("-", "").replace("_", "");
    }
}
