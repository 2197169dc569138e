package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.rest.RestDefinition;
import org.apache.camel.model.rest.VerbDefinition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import cloud.edgehive.harness.Api;
import cloud.edgehive.harness.RunningService;

/** The served OpenAPI document describes exactly the REST verbs the service runs, with bearer security. */
class OpenApiTest {

    private static RunningService service;

    @BeforeAll
    static void start() {
        service = RunningService.start(RunningService.defaults(2525, "Z0000000000000"));
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    @Test
    void everyRestVerbIsDocumentedAndNothingElse() throws IOException {
        HttpResponse<String> served = new Api(service).get("/api/v1/openapi.json", null);
        assertEquals(200, served.statusCode(), served.body());
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/openapi.json"), served.body());
        JsonNode doc = Api.json(served);
        assertTrue(doc.get("openapi").asText().startsWith("3."), "OpenAPI 3");
        assertEquals("/", doc.at("/servers/0/url").asText(), "relative to wherever it is served");
        assertEquals("Edge Hive Cloud API", doc.at("/info/title").asText());

        Set<String> documented = new TreeSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = doc.get("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            path.getValue().fieldNames().forEachRemaining(method -> documented.add(method.toUpperCase() + " " + path.getKey()));
        }
        Set<String> running = new TreeSet<>();
        for (RestDefinition rest : ((ModelCamelContext) service.context()).getRestDefinitions()) {
            for (VerbDefinition verb : rest.getVerbs()) {
                if ("false".equals(verb.getApiDocs())) {
                    continue;
                }
                running.add(verb.asVerb().toUpperCase() + " " + rest.getPath() + (verb.getPath() == null ? "" : verb.getPath()));
            }
        }
        assertEquals(running, documented);

        JsonNode paths = doc.get("paths");
        assertEquals("bearer", doc.at("/components/securitySchemes/bearer/scheme").asText());
        // Every operation says it needs a bearer token, except the two that are public on purpose; and
        // what the document says is what the service does (AuthorizationMatrixTest checks each caller).
        Set<String> open = Set.of("GET /api/v1/pricing", "POST /api/v1/stripe/webhook");
        assertTrue(documented.containsAll(open), documented.toString());
        Api api = new Api(service);
        for (String operation : documented) {
            String method = operation.substring(0, operation.indexOf(' '));
            String path = operation.substring(operation.indexOf(' ') + 1);
            JsonNode security = paths.at(pointer(path) + "/" + method.toLowerCase() + "/security");
            if (open.contains(operation)) {
                assertTrue(security.isMissingNode(), operation + " is public");
                continue;
            }
            // The node agent's endpoints take the node's own token (HMAC per node), never a user's bearer token.
            String scheme = path.startsWith("/node-agent/") ? "nodeToken" : "bearer";
            assertTrue(security.path(0).has(scheme), operation + " must declare the " + scheme + " requirement: " + security);
            String concrete = path.replaceAll("\\{[^}]+}", "x");
            HttpResponse<String> anonymous = switch (method) {
                case "GET" -> api.get(concrete, null);
                case "DELETE" -> api.delete(concrete, null);
                default -> api.post(concrete, null, "{}", Map.of());
            };
            assertEquals(401, anonymous.statusCode(), operation + " without a token: " + anonymous.body());
        }
        assertTrue(paths.at(pointer("/api/v1/stripe/webhook") + "/post/security").isMissingNode(), "Stripe signs, no token");
        assertTrue(doc.at("/security").isMissingNode(), "no document-wide requirement");
    }

    private static String pointer(String path) {
        return "/" + path.replace("~", "~0").replace("/", "~1");
    }
}
