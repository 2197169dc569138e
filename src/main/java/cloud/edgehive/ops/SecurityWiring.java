package cloud.edgehive.ops;

import java.util.Set;

import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.PlatformHttpComponent;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cloud.edgehive.Settings;
import cloud.edgehive.api.CredentialHeaders;
import cloud.edgehive.api.HttpGuard;
import cloud.edgehive.billing.Plans;
import cloud.edgehive.billing.SessionCheck;
import cloud.edgehive.billing.StripeBilling;

/**
 * The service's protections that are not one route's business, wired in one place: secret keys
 * masked wherever Camel logs configuration, the HTTP guard on every request of both servers, the
 * credential rule on every platform-http route, and the check of completed Checkout sessions.
 * Runs after the billing beans are bound (it uses the plans and the Stripe client).
 */
public final class SecurityWiring {

    private static final Logger LOG = LoggerFactory.getLogger(SecurityWiring.class);
    /** Before every route the consumers add (their routes take orders 0, 1, 2, …). */
    private static final int FIRST = -1_000_000;

    private SecurityWiring() {
    }

    public static void configure(CamelContext context, Settings settings) {
        SecretKeys.protect(context);
        context.getComponent("platform-http", PlatformHttpComponent.class).setHeaderFilterStrategy(new CredentialHeaders());
        var registry = context.getRegistry();
        // Sessions are made at Stripe only with Stripe's checkout; local mode's checkout makes its own
        // (cs_local_…), which Stripe has never seen, even when a Stripe key serves the billing portal.
        StripeBilling sessionsAtStripe = "stripe".equals(settings.text("billing.checkout-provider", "stripe"))
                ? registry.lookupByNameAndType("stripeBilling", StripeBilling.class) : null;
        registry.bind("sessionCheck", new SessionCheck(registry.lookupByNameAndType("plans", Plans.class),
                sessionsAtStripe, new SessionCheck.Defaults(
                        settings.text("aws.region", "us-east-1"), settings.text("compute.default-instance-type", "t4g.small"),
                        settings.integer("compute.default-storage-gb", 10))));

        long maxBody = settings.number("camel.server.maxBodySize", 1_048_576);
        HttpGuard server = new HttpGuard(HttpGuard.isLoopback(settings.text("camel.server.host", "0.0.0.0")), maxBody, Set.of());
        // The health endpoint lets ?exposureLevel= override camel.health.exposureLevel: refused here.
        HttpGuard management = new HttpGuard(HttpGuard.isLoopback(settings.text("camel.management.host", "0.0.0.0")), maxBody,
                Set.of("exposurelevel"));
        int serverPort = settings.integer("camel.server.port", 8080);
        int managementPort = settings.integer("camel.management.port", 8081);
        // The servers start (as Camel's early services) before any route consumer registers a path:
        // installing the guard right after them leaves no route reachable without it.
        try {
            context.addStartupListener(guards(serverPort, server, managementPort, management));
        } catch (Exception e) {
            throw new IllegalStateException("Cannot install the HTTP guard", e);
        }
    }

    /** Ordered last, with Camel's own listener that starts the HTTP servers, and added after it. */
    private interface LastStartupListener extends StartupListener, org.apache.camel.Ordered {
        @Override
        default int getOrder() {
            return org.apache.camel.Ordered.LOWEST;
        }
    }

    private static StartupListener guards(int serverPort, HttpGuard server, int managementPort, HttpGuard management) {
        return new LastStartupListener() {
            @Override
            public void onCamelContextStarting(CamelContext camelContext, boolean alreadyStarted) {
                install(camelContext, serverPort, server, true);
                install(camelContext, managementPort, management, false);
            }

            @Override
            public void onCamelContextStarted(CamelContext camelContext, boolean alreadyStarted) {
                // installed while starting
            }
        };
    }

    private static void install(CamelContext context, int port, HttpGuard guard, boolean required) {
        VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(context, VertxPlatformHttpRouter.getRouterNameFromPort(port));
        if (router == null) {
            if (required) {
                throw new IllegalStateException("The HTTP server on port " + port + " has no router to guard: refusing to start unguarded");
            }
            LOG.warn("No HTTP server on port {}: nothing to guard there", port);
            return;
        }
        router.route().order(FIRST).handler(guard);
    }
}
