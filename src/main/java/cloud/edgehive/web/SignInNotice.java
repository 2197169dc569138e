package cloud.edgehive.web;

import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.StartupListener;

/**
 * Local mode's last start-up line: once Camel has started and logged its summaries (the HTTP
 * endpoints summary is logged on the started event, so this waits for "fully started"), runs the
 * {@code local-welcome} route (its words live in {@code routes/local.camel.yaml}) with the sign-in
 * link on the address the server actually bound, in the variable {@code signInUrl}. Does nothing
 * when that route is not running (outside local mode).
 */
public class SignInNotice implements StartupListener {

    private final String path;

    /** @param path the sign-in page's path, e.g. /app/sign-in */
    public SignInNotice(String path) {
        this.path = path;
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        // the line waits for onCamelContextFullyStarted
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
        if (context.getRouteController().getRouteStatus("local-welcome") != ServiceStatus.Started) {
            return;
        }
        context.createFluentProducerTemplate().to("direct:local-welcome")
                .withVariable("signInUrl", boundAddress(context) + path).send();
    }

    /** http://host:port as bound (a wildcard bind is reached as localhost). */
    static String boundAddress(CamelContext context) {
        VertxPlatformHttpServer server = context.hasService(VertxPlatformHttpServer.class);
        String host = server == null || server.getHost() == null ? "localhost" : server.getHost();
        if (host.equals("0.0.0.0") || host.equals("::")) {
            host = "localhost";
        }
        int port = server == null ? Integer.parseInt(context.resolvePropertyPlaceholders("{{camel.server.port}}")) : server.getPort();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
