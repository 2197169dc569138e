package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import cloud.edgehive.harness.Api;
import cloud.edgehive.harness.RunningService;
import cloud.edgehive.harness.TestCloud;
import cloud.edgehive.harness.Tokens;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeState;

/** Admin provisioning without payment: idempotent on its key, and bad input changes nothing. */
class ProvisionApiTest {

    private static final String PATH = "/api/v1/nodes/provision";

    private static TestCloud cloud;
    private static RunningService service;
    private static Api api;

    @BeforeAll
    static void start() {
        cloud = TestCloud.fresh("provision-api");
        service = RunningService.start(cloud.config());
        api = new Api(service);
    }

    @AfterAll
    static void stop() {
        service.close();
        cloud.close();
    }

    @Test
    void adminProvisionsNodesThatReachReadyAndAReplayReturnsTheSameOnes() {
        String body = "{\"userId\":\"user-deal\",\"email\":\"deal@example.com\",\"plan\":\"enterprise\",\"storageGb\":50,\"nodeCount\":2}";
        HttpResponse<String> created = api.post(PATH, Tokens.admin("ops"), body, Map.of("Idempotency-Key", "deal-1"));
        assertEquals(201, created.statusCode(), created.body());
        JsonNode result = Api.json(created);
        assertFalse(result.get("replayed").asBoolean());
        List<String> ids = ids(result);
        assertEquals(List.of("admin-deal-1-0", "admin-deal-1-1"), ids);
        for (String id : ids) {
            Node node = service.awaitNode(id, Duration.ofSeconds(60), n -> n.state() == NodeState.READY || n.state().isFinal());
            assertEquals(NodeState.READY, node.state(), node::lastError);
            assertEquals("user-deal", node.userId());
            assertEquals("enterprise", node.plan());
            assertEquals(50, node.storageGb());
        }

        HttpResponse<String> replay = api.post(PATH, Tokens.admin("ops"), body, Map.of("Idempotency-Key", "deal-1"));
        assertEquals(200, replay.statusCode(), replay.body());
        assertTrue(Api.json(replay).get("replayed").asBoolean());
        assertEquals(ids, ids(Api.json(replay)));
        assertEquals(2, service.nodes().byUser("user-deal").size(), "no new node on replay");

        HttpResponse<String> listed = api.get("/api/v1/nodes", Tokens.user("user-deal"));
        assertEquals(2, Api.json(listed).get("nodes").size(), "the owner sees them");

        for (String different : List.of(
                body.replace("\"storageGb\":50", "\"storageGb\":100"),
                body.replace("\"nodeCount\":2", "\"nodeCount\":1"),
                body.replace("\"nodeCount\":2", "\"nodeCount\":3"))) {
            HttpResponse<String> reused = api.post(PATH, Tokens.admin("ops"), different, Map.of("Idempotency-Key", "deal-1"));
            assertEquals(409, reused.statusCode(), different + " -> " + reused.body());
        }
        assertEquals(2, service.nodes().byUser("user-deal").size(), "a reused key created nothing");
    }

    @Test
    void defaultsFillWhatTheBodyLeavesOut() {
        HttpResponse<String> created = api.post(PATH, Tokens.admin("ops"), "{\"userId\":\"user-minimal\",\"email\":\"min@example.com\"}",
                Map.of("Idempotency-Key", "minimal"));
        assertEquals(201, created.statusCode(), created.body());
        JsonNode node = Api.json(created).get("nodes").get(0);
        assertEquals("pro", node.get("plan").asText());
        assertEquals("us-east-1", node.get("region").asText());
        assertEquals("t4g.small", node.get("instanceType").asText());
        assertEquals(10, node.get("storageGb").asInt());
    }

    @Test
    void badInputIsRefusedWithAProblemAndRecordsNothing() {
        String valid = "{\"userId\":\"user-bad\",\"email\":\"bad@example.com\"}";
        List<String> failures = new ArrayList<>();
        check(failures, "no key", api.post(PATH, Tokens.admin("ops"), valid, Map.of()), 400);
        check(failures, "blank key", api.post(PATH, Tokens.admin("ops"), valid, Map.of("Idempotency-Key", " ")), 400);
        check(failures, "odd key", api.post(PATH, Tokens.admin("ops"), valid, Map.of("Idempotency-Key", "a/b")), 400);
        check(failures, "long key", api.post(PATH, Tokens.admin("ops"), valid, Map.of("Idempotency-Key", "k".repeat(65))), 400);
        check(failures, "text body", api.post(PATH, Tokens.admin("ops"), valid,
                Map.of("Idempotency-Key", "bad-text", "Content-Type", "text/plain")), 415);
        check(failures, "form body", api.post(PATH, Tokens.admin("ops"), "userId=user-bad&email=bad%40example.com",
                Map.of("Idempotency-Key", "bad-form", "Content-Type", "application/x-www-form-urlencoded")), 415);
        check(failures, "not admin", api.post(PATH, Tokens.user("user-bad"), valid, Map.of("Idempotency-Key", "bad-0")), 403);
        int i = 0;
        for (String body : List.of(
                "",
                "not json",
                "[1,2]",
                "\"text\"",
                "{\"userId\":\"user-bad\"}",
                "{\"email\":\"bad@example.com\"}",
                "{\"userId\":\"user-bad\",\"email\":\"not-an-email\"}",
                "{\"userId\":\"has space\",\"email\":\"bad@example.com\"}",
                "{\"userId\":\"" + "u".repeat(129) + "\",\"email\":\"bad@example.com\"}",
                "{\"userId\":42,\"email\":\"bad@example.com\"}",
                "{\"userId\":\"user-bad\",\"email\":\"bad@example.com\",\"nodeCount\":0}",
                "{\"userId\":\"user-bad\",\"email\":\"bad@example.com\",\"nodeCount\":11}",
                "{\"userId\":\"user-bad\",\"email\":\"bad@example.com\",\"nodeCount\":1.5}",
                "{\"userId\":\"user-bad\",\"email\":\"bad@example.com\",\"nodeCount\":\"2\"}",
                "{\"userId\":\"user-bad\",\"email\":\"bad@example.com\",\"nodeCount\":99999999999}",
                "{\"userId\":\"user-bad\",\"email\":\"bad@example.com\",\"storageGb\":7}",
                "{\"userId\":\"user-bad\",\"email\":\"bad@example.com\",\"plan\":\"Pro Plus\"}",
                "{\"userId\":\"user-bad\",\"email\":\"bad@example.com\",\"region\":\"mars\"}",
                "{\"userId\":\"user-bad\",\"email\":\"bad@example.com\",\"instanceType\":\"big\"}",
                "{\"userId\":\"user-bad\",\"email\":\"bad@example.com\",\"colour\":\"blue\"}",
                "{\"userId\":\"user-bad\",\"email\":\"bad@example.com\",\"userId\":\"user-other\"}",
                valid + " trailing")) {
            check(failures, "body " + body, api.post(PATH, Tokens.admin("ops"), body, Map.of("Idempotency-Key", "bad-" + i++)), 422);
        }
        assertEquals(List.of(), failures);
        assertTrue(service.nodes().byUser("user-bad").isEmpty(), "nothing recorded");
        assertTrue(service.nodes().find("admin-bad-0-0").isEmpty(), "nothing recorded");
    }

    private static void check(List<String> failures, String what, HttpResponse<String> response, int status) {
        String type = response.headers().firstValue("Content-Type").orElse("");
        if (response.statusCode() != status || !type.equals("application/problem+json")
                || Api.json(response).path("detail").asText().isEmpty()) {
            failures.add(what + ": " + response.statusCode() + " " + type + " " + response.body());
        }
    }

    private static List<String> ids(JsonNode result) {
        List<String> ids = new ArrayList<>();
        result.get("nodes").forEach(n -> ids.add(n.get("id").asText()));
        return ids;
    }
}
