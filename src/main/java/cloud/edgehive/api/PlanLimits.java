package cloud.edgehive.api;

import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * How many nodes a plan allows: {@code plans.<plan>.node-limit} from configuration, else the
 * published defaults (pro 1, team 5). A plan with neither (enterprise without the key) has no
 * limit, answered as null: those are set per deal.
 */
public class PlanLimits {

    private static final Map<String, Integer> DEFAULTS = Map.of("pro", 1, "team", 5);

    private final Function<String, Optional<String>> settings;

    /** {@code settings} reads one configuration key; read on each call so it follows the configuration. */
    public PlanLimits(Function<String, Optional<String>> settings) {
        this.settings = settings;
    }

    public Integer limit(String plan) {
        if (plan == null) {
            return null;
        }
        Optional<String> configured = settings.apply("plans." + plan + ".node-limit");
        if (configured.isPresent()) {
            try {
                return Integer.valueOf(configured.get().trim());
            } catch (NumberFormatException e) {
                throw new IllegalStateException("Configuration plans." + plan + ".node-limit must be a number, got '"
                        + configured.get() + "'");
            }
        }
        return DEFAULTS.get(plan);
    }
}
