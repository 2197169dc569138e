package cloud.edgehive.web;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;

import cloud.edgehive.Settings;
import cloud.edgehive.auth.TokenVerifier;
import cloud.edgehive.billing.LocalCheckoutOrders;
import cloud.edgehive.billing.Plans;
import cloud.edgehive.billing.PriceTable;
import cloud.edgehive.mail.NodeMail;
import cloud.edgehive.store.NodeStore;
import cloud.edgehive.store.Tables;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Wires the dashboard (routes/dashboard.camel.yaml, dashboard-admin.camel.yaml) and local mode's
 * checkout orders from beans the service already has: the dashboard calls the same stores, checks
 * and routes as the API. Runs last in {@code ServiceBeans.configure}.
 */
public final class WebWiring {

    private WebWiring() {
    }

    public static void wire(CamelContext context, Settings settings) {
        Registry registry = context.getRegistry();
        Clock clock = registry.lookupByNameAndType("clock", Clock.class);
        NodeStore nodes = registry.lookupByNameAndType("nodeStore", NodeStore.class);
        Plans plans = registry.lookupByNameAndType("plans", Plans.class);
        String baseUrl = trimSlash(settings.required("web.base-url"));

        SessionStore sessions = new SessionStore(registry.lookupByNameAndType("dynamo", DynamoDbClient.class),
                registry.lookupByNameAndType("tables", Tables.class), clock);
        registry.bind("webSessions", new WebSessions(sessions, registry.lookupByNameAndType("tokenVerifier", TokenVerifier.class),
                settings.seconds("web.session-ttl-seconds", 28_800), settings.flag("web.cookie-secure", true)));

        Pages pages = new Pages(Path.of(settings.text("web.templates-dir", "templates/web")), Map.of(
                "product", "Edge Hive Cloud",
                "pollSeconds", settings.integer("web.poll-seconds", 2)));
        NodePresenter presenter = new NodePresenter(clock);
        registry.bind("webPages", pages);
        registry.bind("webAssets", new Assets());
        registry.bind("webErrors", new WebErrors(pages));
        registry.bind("dashboard", new Dashboard(pages, presenter, new UsageChart(), plans,
                settings.text("plans.currency", "USD"), baseUrl));
        registry.bind("adminPages", new AdminPages(pages, presenter, nodes, plans,
                registry.lookupByNameAndType("priceTable", PriceTable.class), context, clock));
        registry.bind("localCheckoutOrders", new LocalCheckoutOrders(settings.required("stripe.webhook-secret"), baseUrl, plans, clock));
        registry.lookupByNameAndType("nodeMail", NodeMail.class).linkDashboard(baseUrl);
        try {
            context.addStartupListener(new SignInNotice("/app/sign-in"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String trimSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
