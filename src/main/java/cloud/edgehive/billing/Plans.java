package cloud.edgehive.billing;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import cloud.edgehive.Settings;

/**
 * The plans on sale, read once from configuration ({@code plans.names}, then {@code plans.<name>.*}).
 * Stripe knows a plan only by its price id, so subscription events are mapped back through here.
 */
public class Plans {

    private final Map<String, Plan> byName = new LinkedHashMap<>();

    public Plans(List<Plan> plans) {
        plans.forEach(p -> byName.put(p.name(), p));
    }

    public static Plans from(Settings settings) {
        List<String> names = settings.list("plans.names");
        if (names.isEmpty()) {
            throw new IllegalStateException("plans.names lists no plan");
        }
        return new Plans(names.stream().map(name -> {
            String key = "plans." + name + ".";
            return new Plan(name,
                    settings.optional(key + "price-id").orElse(null),
                    settings.integer(key + "node-limit", 1),
                    settings.list(key + "regions"),
                    settings.list(key + "instance-types"),
                    settings.list(key + "storage-gb").stream().map(v -> parseSize(key + "storage-gb", v)).toList(),
                    settings.flag(key + "self-serve", true),
                    settings.optional(key + "monthly-price").map(v -> parsePrice(key + "monthly-price", v)).orElse(null));
        }).toList());
    }

    public Optional<Plan> find(String name) {
        return Optional.ofNullable(name == null ? null : byName.get(name));
    }

    public Optional<Plan> byPriceId(String priceId) {
        return byName.values().stream().filter(p -> p.priceId() != null && p.priceId().equals(priceId)).findFirst();
    }

    public List<String> names() {
        return List.copyOf(byName.keySet());
    }

    /** The plan's node limit; an unknown plan (renamed since the purchase) allows what it was sold with: one. */
    public int nodeLimit(String name) {
        return find(name).map(Plan::nodeLimit).orElse(1);
    }

    private static java.math.BigDecimal parsePrice(String key, String value) {
        try {
            return new java.math.BigDecimal(value).setScale(2, java.math.RoundingMode.UNNECESSARY);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalStateException("Configuration " + key + " must be a price like 25.00, got '" + value + "'");
        }
    }

    private static int parseSize(String key, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("Configuration " + key + " must list whole numbers of GB, got '" + value + "'");
        }
    }
}
