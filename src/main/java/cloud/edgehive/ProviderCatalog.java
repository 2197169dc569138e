package cloud.edgehive;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

import cloud.edgehive.access.AccessProvider;
import cloud.edgehive.compute.ComputeProvider;
import cloud.edgehive.mail.MailSender;

/**
 * Every provider the service ships, by kind and name; configuration ({@code compute.provider},
 * {@code access.provider}, {@code mail.provider}) picks one of each. A provider is made only when it
 * is chosen, so an unused one needs no configuration. Adding a provider is one {@code add} line in
 * {@link ProviderBeans}; nothing else names providers.
 */
public final class ProviderCatalog {

    private final Shelf<ComputeProvider> compute = new Shelf<>("compute.provider");
    private final Shelf<AccessProvider> access = new Shelf<>("access.provider");
    private final Shelf<MailSender> mail = new Shelf<>("mail.provider");

    public Shelf<ComputeProvider> compute() {
        return compute;
    }

    public Shelf<AccessProvider> access() {
        return access;
    }

    public Shelf<MailSender> mail() {
        return mail;
    }

    /** The providers of one kind, by name, and the configuration key that chooses among them. */
    public static final class Shelf<T> {

        private final String key;
        private final Map<String, Function<Settings, T>> factories = new LinkedHashMap<>();

        Shelf(String key) {
            this.key = key;
        }

        public Shelf<T> add(String name, Function<Settings, T> factory) {
            if (factories.putIfAbsent(name, factory) != null) {
                throw new IllegalStateException("Two " + key + " providers named '" + name + "'");
            }
            return this;
        }

        public java.util.Set<String> names() {
            return java.util.Collections.unmodifiableSet(factories.keySet());
        }

        /** The configured provider, made now; an unknown name stops start-up with the names that exist. */
        public T chosen(Settings settings) {
            String name = settings.text(key);
            Function<Settings, T> factory = factories.get(name);
            if (factory == null) {
                throw new IllegalStateException("Unknown " + key + " '" + name + "' (supported: " + String.join(", ", factories.keySet()) + ")");
            }
            return factory.apply(settings);
        }
    }
}
