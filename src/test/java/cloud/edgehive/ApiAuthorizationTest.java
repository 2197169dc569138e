package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;

import cloud.edgehive.harness.Api;
import cloud.edgehive.harness.Emulators;
import cloud.edgehive.harness.RunningService;
import cloud.edgehive.harness.StripeSigner;
import cloud.edgehive.harness.Tokens;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeState;

/**
 * Every endpoint against every kind of caller: user A (the owner), user B, an admin, no token, and
 * tokens that are expired, forged, for another audience or unsigned. Only the intended calls
 * succeed; the refused ones are problem+json and change nothing.
 */
class ApiAuthorizationTest {

    private static final String OWNER = "user-matrix-a";
    private static final Instant SOON = Instant.now().plusSeconds(600);

    private static GreenMail smtp;
    private static RunningService service;
    private static Api api;
    private static Node node;

    @BeforeAll
    static void start() {
        Emulators.resetAws();
        smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        String zone = RunningService.route53().createHostedZone(b -> b.name("nodes.test.example").callerReference("matrix-test"))
                .hostedZone().id();
        service = RunningService.start(RunningService.defaults(smtp.getSmtp().getPort(), zone));
        api = new Api(service);
        assertEquals(200, service.postSignedWebhook(StripeSigner.checkoutCompleted("evt_matrix", "cs_test_matrix", OWNER,
                "matrix@example.com", StripeSigner.PRO_PLAN)).statusCode());
        node = service.awaitNode("cs_test_matrix-0", Duration.ofSeconds(60), n -> n.state() == NodeState.READY || n.state().isFinal());
        assertEquals(NodeState.READY, node.state(), node::lastError);
    }

    @AfterAll
    static void stop() {
        service.close();
        smtp.stop();
    }

    @Test
    void onlyTheIntendedCallsSucceed() {
        Map<String, String> refused = new LinkedHashMap<>();
        refused.put("no token", null);
        refused.put("expired", Tokens.sign(RunningService.JWT_SECRET, Tokens.claims(OWNER, List.of("admin"),
                Instant.now().minusSeconds(120)).build()));
        refused.put("wrong signature", Tokens.sign("another-secret-that-is-at-least-32-bytes!!",
                Tokens.claims(OWNER, List.of("admin"), SOON).build()));
        refused.put("wrong audience", Tokens.sign(RunningService.JWT_SECRET, Tokens.claims(OWNER, List.of("admin"), SOON)
                .audience("someone-else").build()));
        refused.put("alg none", unsigned(Tokens.claims(OWNER, List.of("admin"), SOON).build().toString()));
        refused.put("not a JWT", "not-a-jwt");

        String a = Tokens.user(OWNER);
        String b = Tokens.user("user-matrix-b");
        String admin = Tokens.admin("ops-matrix");
        List<String> mismatches = new ArrayList<>();

        // Refused callers first, while the node is READY: nothing they send may change it.
        for (Map.Entry<String, String> caller : refused.entrySet()) {
            for (Map.Entry<String, Function<String, HttpResponse<String>>> call : calls("refused-" + caller.getKey().replace(' ', '-')).entrySet()) {
                expectProblem(mismatches, caller.getKey(), call.getKey(), call.getValue().apply(caller.getValue()), 401);
            }
        }
        for (Map.Entry<String, Function<String, HttpResponse<String>>> call : calls("user-b").entrySet()) {
            int expected = switch (call.getKey()) {
                case "list", "usage" -> 200;
                case "provision" -> 403;
                case "node-agent" -> 401;
                default -> 404;
            };
            HttpResponse<String> response = call.getValue().apply(b);
            if (expected == 200) {
                expect(mismatches, "user B", call.getKey(), response, 200);
                assertFalse(response.body().contains(node.nodeId()), "user B never sees A's node: " + response.body());
            } else {
                expectProblem(mismatches, "user B", call.getKey(), response, expected);
            }
        }
        expectProblem(mismatches, "user A", "provision", calls("user-a").get("provision").apply(a), 403);
        // The node agent takes only the node's own node token, never a user's or an admin's JWT; with
        // route53 the node has no tunnel, so its own token gets 404.
        expectProblem(mismatches, "user A", "node-agent", calls("user-a").get("node-agent").apply(a), 401);
        expectProblem(mismatches, "admin", "node-agent", calls("admin").get("node-agent").apply(admin), 401);
        String nodeToken = new cloud.edgehive.auth.NodeTokens("test-node-token-secret").tokenOf(node.nodeId());
        expectProblem(mismatches, "the node", "node-agent", calls("node").get("node-agent").apply(nodeToken), 404);
        Node untouched = service.nodes().get(node.nodeId());
        assertEquals(NodeState.READY, untouched.state());
        assertEquals(node.version(), untouched.version(), "refused calls changed nothing");
        assertTrue(service.nodes().byUser("matrix-provisioned").isEmpty(), "refused provisioning recorded nothing");

        // Then the owner and the admin, reads before writes, delete last.
        Map<String, Function<String, HttpResponse<String>>> ownerCalls = calls("user-a");
        for (String name : List.of("list", "get", "usage", "restart", "delete")) {
            expect(mismatches, "user A", name, ownerCalls.get(name).apply(a), 200);
        }
        assertTrue(ownerCalls.get("list").apply(a).body().contains(node.nodeId()));
        Map<String, Function<String, HttpResponse<String>>> adminCalls = calls("admin");
        for (String name : List.of("list", "get", "usage", "delete")) {
            expect(mismatches, "admin", name, adminCalls.get(name).apply(admin), 200);
        }
        expect(mismatches, "admin", "provision", adminCalls.get("provision").apply(admin), 201);
        expectProblem(mismatches, "admin", "restart (TERMINATED)", adminCalls.get("restart").apply(admin), 409);
        for (String caller : List.of("no token", "user A", "admin")) {
            HttpResponse<String> doc = api.get("/api/v1/openapi.json", caller.equals("admin") ? admin : caller.equals("user A") ? a : null);
            expect(mismatches, caller, "openapi", doc, 200);
            if (doc.headers().firstValue("Authorization").isPresent()) {
                mismatches.add(caller + " openapi: the token was echoed");
            }
        }
        assertEquals(List.of(), mismatches);
    }

    /** Every endpoint, by name; {@code key} keeps each caller's provision request distinct. */
    private static Map<String, Function<String, HttpResponse<String>>> calls(String key) {
        String path = "/api/v1/nodes/" + node.nodeId();
        Map<String, Function<String, HttpResponse<String>>> calls = new LinkedHashMap<>();
        calls.put("list", token -> api.get("/api/v1/nodes", token));
        calls.put("get", token -> api.get(path, token));
        calls.put("usage", token -> api.get("/api/v1/usage", token));
        calls.put("provision", token -> api.post("/api/v1/nodes/provision", token,
                "{\"userId\":\"matrix-provisioned\",\"email\":\"matrix-p@example.com\",\"plan\":\"enterprise\"}",
                Map.of("Idempotency-Key", "matrix-" + key)));
        calls.put("restart", token -> api.post(path + "/restart", token, null, Map.of()));
        calls.put("delete", token -> api.delete(path, token));
        calls.put("node-agent", token -> api.get("/node-agent/v1/nodes/" + node.nodeId() + "/tunnel-token", token));
        return calls;
    }

    private static void expect(List<String> mismatches, String caller, String call, HttpResponse<String> response, int status) {
        if (response.statusCode() != status) {
            mismatches.add(caller + " " + call + ": expected " + status + ", got " + response.statusCode() + " " + response.body());
        }
    }

    private static void expectProblem(List<String> mismatches, String caller, String call, HttpResponse<String> response, int status) {
        expect(mismatches, caller, call, response, status);
        String type = response.headers().firstValue("Content-Type").orElse("");
        if (!type.equals("application/problem+json") || Api.json(response).path("status").asInt() != status) {
            mismatches.add(caller + " " + call + ": not a problem+json " + status + ": " + type + " " + response.body());
        }
        if (response.headers().firstValue("Authorization").isPresent()) {
            mismatches.add(caller + " " + call + ": the token was echoed");
        }
    }

    private static String unsigned(String claimsJson) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claimsJson.getBytes(StandardCharsets.UTF_8)) + ".";
    }
}
