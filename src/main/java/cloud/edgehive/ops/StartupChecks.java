package cloud.edgehive.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.apache.camel.CamelContext;

import cloud.edgehive.Settings;
import cloud.edgehive.api.HttpGuard;

/**
 * Settings that would silently weaken the service stop it at start-up instead, each with the key
 * to fix:
 * <ul>
 * <li>local-only switches ({@code local.*.enabled}, {@code auth.local-token.enabled},
 * {@code billing.checkout-provider=local}, {@code web.cookie-secure=false}: anything that
 * serves a stand-in for Stripe or the host SaaS, prints a token or keeps state in this process) run
 * only with {@code compute.provider=local} and the server bound to loopback;</li>
 * <li>a webhook tolerance of zero or less would disable Stripe's timestamp check;</li>
 * <li>the fixed secrets local mode once shipped in {@code local.properties} are public: a service
 * configured with one of them would accept anyone's webhooks or tokens.</li>
 * </ul>
 */
public final class StartupChecks {

    /** Keys of switches that only make sense on one machine with no real cloud behind it. */
    static final Pattern LOCAL_ONLY_SWITCH = Pattern.compile("(local\\.[a-z0-9.-]+|[a-z0-9-]+\\.local-[a-z0-9-]+)\\.enabled");

    /** Published in earlier versions of local.properties: never valid secrets. */
    static final Map<String, String> PUBLISHED_SECRETS = Map.of(
            "stripe.webhook-secret", "whsec_local_mode_only_not_a_secret",
            "node.token-secret", "local-mode-only-node-token-secret",
            "auth.jwt.secret", "local-mode-only-jwt-secret-0123456789abcdef");

    private StartupChecks() {
    }

    /** Throws, naming every problem at once, when the configuration must not run. */
    public static void verify(CamelContext context) {
        Settings settings = new Settings(context);
        List<String> problems = new ArrayList<>();
        localOnlySwitches(context, settings, problems);
        long tolerance = settings.number("stripe.webhook-tolerance-seconds", 300);
        if (tolerance <= 0) {
            problems.add("stripe.webhook-tolerance-seconds must be greater than 0 (got " + tolerance
                    + "): 0 or less would accept replayed webhooks of any age");
        }
        PUBLISHED_SECRETS.forEach((key, published) -> {
            if (settings.optional(key).filter(published::equals).isPresent()) {
                problems.add(key + " is a value published in an earlier local.properties; set a secret of your own ("
                        + Settings.envName(key) + ")");
            }
        });
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Refusing to start: " + String.join("; ", problems));
        }
    }

    private static void localOnlySwitches(CamelContext context, Settings settings, List<String> problems) {
        TreeSet<String> on = new TreeSet<>();
        for (String key : context.getPropertiesComponent().loadProperties(k -> LOCAL_ONLY_SWITCH.matcher(k).matches())
                .stringPropertyNames()) {
            if (settings.flag(key, false)) {
                on.add(key);
            }
        }
        // Local mode's stand-ins that are not named like a switch: buying without Stripe, and a session
        // cookie sent over plain http.
        if (settings.text("billing.checkout-provider", "stripe").equals("local")) {
            on.add("billing.checkout-provider=local");
        }
        if (!settings.flag("web.cookie-secure", true)) {
            on.add("web.cookie-secure=false");
        }
        if (on.isEmpty()) {
            return;
        }
        String compute = settings.text("compute.provider", "ec2");
        String host = settings.text("camel.server.host", "0.0.0.0");
        if (!compute.equals("local") || !HttpGuard.isLoopback(host)) {
            problems.add(String.join(", ", on) + " work in local mode only: they need compute.provider=local (got " + compute
                    + ") and camel.server.host on loopback (got " + host + ")");
        }
    }
}
