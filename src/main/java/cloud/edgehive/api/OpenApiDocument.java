package cloud.edgehive.api;

import java.util.HashMap;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.openapi.RestOpenApiProcessor;
import org.apache.camel.spi.RestConfiguration;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Renders the OpenAPI 3 document of the REST DSL (camel-openapi-java) for the api-openapi route.
 * Camel's own api-context route is not used because it echoes every request header, the bearer
 * token included, back in its response; the route drops them before this runs.
 */
public class OpenApiDocument implements Processor, CamelContextAware {

    private static final ObjectMapper JSON = new ObjectMapper();

    private CamelContext context;
    private volatile RestOpenApiProcessor renderer;

    @Override
    public void process(Exchange exchange) throws Exception {
        renderer().process(exchange);
        // The renderer guesses the server from its own host settings ("http://null" on
        // platform-http); a relative URL is right behind any proxy or load balancer.
        ObjectNode document = (ObjectNode) JSON.readTree(exchange.getMessage().getBody(String.class));
        document.putArray("servers").addObject().put("url", "/");
        exchange.getMessage().setBody(JSON.writeValueAsString(document));
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
    }

    // Built on first use: the REST configuration (camel.rest.apiProperties) is complete only once
    // the context has started.
    private RestOpenApiProcessor renderer() {
        RestOpenApiProcessor current = renderer;
        if (current == null) {
            synchronized (this) {
                if (renderer == null) {
                    RestConfiguration rest = context.getRestConfiguration();
                    Map<String, Object> properties = new HashMap<>();
                    if (rest.getApiProperties() != null) {
                        properties.putAll(rest.getApiProperties());
                    }
                    RestOpenApiProcessor created = new RestOpenApiProcessor(properties, rest);
                    created.setCamelContext(context);
                    created.start();
                    renderer = created;
                }
                current = renderer;
            }
        }
        return current;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.context = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return context;
    }
}
