package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
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

        Set<String> documented = new TreeSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = doc.get("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            path.getValue().fieldNames().forEachRemaining(method -> documented.add(method.toUpperCase() + " " + path.getKey()));
        }
        Set<String> running = new TreeSet<>();
        for (RestDefinition rest : ((ModelCamelContext) service.context()).getRestDefinitions()) {
            for (VerbDefinition verb : rest.getVerbs()) {
                running.add(verb.asVerb().toUpperCase() + " " + rest.getPath() + verb.getPath());
            }
        }
        assertEquals(running, documented);
    }
}
