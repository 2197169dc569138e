package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import cloud.edgehive.auth.NodeTokens;
import cloud.edgehive.harness.Api;
import cloud.edgehive.harness.CloudflareDouble;
import cloud.edgehive.harness.RunningService;
import cloud.edgehive.harness.StripeSigner;
import cloud.edgehive.harness.TestCloud;
import cloud.edgehive.harness.Tokens;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeState;

/**
 * A purchase with access provider {@code cloudflare-tunnel}, against moto and the Cloudflare double:
 * the node ends READY at {@code https://node-<name>.<zone>} with one tunnel, one ingress set and one
 * CNAME; its user-data and launch request hold no tunnel token; the node fetches its own token with
 * its node token and nothing else gets it; a permanent Cloudflare refusal leaves no tunnel and no
 * record; terminate leaves nothing at Cloudflare.
 */
class CloudflareTunnelTest {

    private static final String API_TOKEN = "cf-api-token-tunnel-test";
    private static final String NODE_TOKEN_SECRET = "test-node-token-secret";
    private static final Duration SETTLED = Duration.ofSeconds(90);

    private static TestCloud cloud;
    private static CloudflareDouble cloudflare;
    private static RunningService service;
    private static Api api;

    @BeforeAll
    static void start() {
        cloud = TestCloud.fresh("cloudflare-tunnel");
        cloudflare = CloudflareDouble.start(API_TOKEN);
        Map<String, String> config = new java.util.LinkedHashMap<>(cloud.config());
        config.putAll(Map.of("access.provider", "cloudflare-tunnel", "cloudflare.api-base", cloudflare.baseUrl(),
                "cloudflare.api-token", API_TOKEN, "cloudflare.account-id", CloudflareDouble.ACCOUNT,
                "cloudflare.zone-id", CloudflareDouble.ZONE, "node.cloud-url", "https://cloud.test.example",
                "node.token-secret", NODE_TOKEN_SECRET, "reconciler.terminate-orphans", "true"));
        config.put("retry.max-redeliveries", "5");
        config.putAll(RunningService.CLOUDFLARED_PINS);
        service = RunningService.start(config);
        api = new Api(service);
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (cloudflare != null) {
            cloudflare.close();
        }
        if (cloud != null) {
            cloud.close();
        }
    }

    @Test
    void aTunnelNodeIsReachableFetchesOnlyItsOwnTokenAndLeavesNothingBehind() throws Exception {
        // The same purchase delivered five times at once: one node, one tunnel, one record.
        ExecutorService pool = Executors.newFixedThreadPool(5);
        try {
            List<Future<?>> deliveries = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                deliveries.add(pool.submit(() -> buy("cs_test_cft_a")));
            }
            for (Future<?> delivery : deliveries) {
                delivery.get();
            }
        } finally {
            pool.shutdown();
        }
        buy("cs_test_cft_b");
        Node a = ready("cs_test_cft_a-0");
        Node b = ready("cs_test_cft_b-0");

        String hostname = a.hostLabel() + "." + TestCloud.ZONE;
        assertEquals("https://" + hostname, a.url());
        CloudflareDouble.Tunnel tunnelA = tunnelOf(a);
        JsonNode detail = Api.json(api.get("/api/v1/nodes/" + a.nodeId(), Tokens.user("user-cs_test_cft_a")));
        assertEquals(tunnelA.id, detail.at("/tunnel/id").asText(), detail.toString());
        assertEquals("inactive", detail.at("/tunnel/status").asText(), detail.toString());
        assertEquals(1, cloudflare.liveTunnels().stream().filter(t -> t.name.equals("edge-hive-" + a.nodeId())).count());
        assertEquals(1, service.nodes().byUser("user-cs_test_cft_a").size());
        assertEquals("[{\"hostname\":\"" + hostname + "\",\"service\":\"http://localhost:8080\"},{\"service\":\"http_status:404\"}]",
                tunnelA.config.path("ingress").toString());
        List<CloudflareDouble.Record> records = cloudflare.records().stream().filter(r -> r.name().equals(hostname)).toList();
        assertEquals(1, records.size(), records.toString());
        assertEquals("CNAME", records.get(0).type());
        assertEquals(tunnelA.id + ".cfargotunnel.com", records.get(0).content());
        assertTrue(records.get(0).proxied());

        // The launch request holds the node's own node token, and no tunnel token of any node.
        String userData = userDataOf(a);
        assertTrue(userData.contains("TUNNEL='cloudflare'") && userData.contains("CLOUDFLARED_VERSION='2025.10.1'"), userData);
        assertTrue(userData.contains("CLOUD_URL='https://cloud.test.example'"), userData);
        for (CloudflareDouble.Tunnel tunnel : cloudflare.liveTunnels()) {
            assertFalse(userData.contains(tunnel.token()), "a tunnel token is in the user-data");
            assertFalse(userData.contains(tunnel.secret), "a tunnel secret is in the user-data");
        }

        NodeTokens tokens = new NodeTokens(NODE_TOKEN_SECRET);
        HttpResponse<String> own = fetch(a.nodeId(), tokens.tokenOf(a.nodeId()));
        assertEquals(200, own.statusCode(), own.body());
        assertEquals(tunnelA.token(), Api.json(own).path("tunnelToken").asText());
        assertEquals("no-store", own.headers().firstValue("Cache-Control").orElse(""));
        assertEquals(tunnelOf(b).token(), Api.json(fetch(b.nodeId(), tokens.tokenOf(b.nodeId()))).path("tunnelToken").asText());

        assertProblem(401, fetch(b.nodeId(), tokens.tokenOf(a.nodeId())), "A's token for B's id");
        assertProblem(401, fetch(a.nodeId(), tokens.tokenOf(a.nodeId()) + "0"), "a wrong token");
        assertProblem(401, fetch(a.nodeId(), null), "no token");
        assertProblem(401, fetch(a.nodeId(), Tokens.admin("ops-cft")), "an admin's JWT is no node token");
        assertProblem(404, fetch("cs_test_cft_nobody-0", tokens.tokenOf("cs_test_cft_nobody-0")), "a node that does not exist");

        String admin = Tokens.admin("ops-cft");
        for (Node node : List.of(a, b)) {
            HttpResponse<String> terminated = api.delete("/api/v1/nodes/" + node.nodeId(), admin);
            assertEquals(200, terminated.statusCode(), terminated.body());
        }
        for (Node node : List.of(a, b)) {
            assertTrue(cloudflare.liveTunnels().stream().noneMatch(t -> t.name.equals("edge-hive-" + node.nodeId())), "no tunnel left");
            assertTrue(cloudflare.records().stream().noneMatch(r -> r.comment().equals("edge-hive-" + node.nodeId())
                    || r.name().startsWith(node.hostLabel())), "no record left: " + cloudflare.records());
        }
        assertProblem(410, fetch(a.nodeId(), tokens.tokenOf(a.nodeId())), "a terminated node gets no token");
        assertEquals(0, cloudflare.refusedAuth(), "every call carried the API token");
    }

    @Test
    void anAnswerLostAfterEachCloudflareCallStillLeavesOneTunnelAndOneRecord() {
        cloudflare.loseAnswerOfNext("POST", "/accounts/[^/]+/cfd_tunnel");
        cloudflare.loseAnswerOfNext("PUT", "/accounts/[^/]+/cfd_tunnel/[^/]+/configurations");
        cloudflare.loseAnswerOfNext("POST", "/zones/[^/]+/dns_records");
        buy("cs_test_cft_lost");
        Node node = ready("cs_test_cft_lost-0");
        assertEquals(1, cloudflare.liveTunnels().stream().filter(t -> t.name.equals("edge-hive-" + node.nodeId())).count());
        assertEquals(1, cloudflare.records().stream().filter(r -> r.name().startsWith(node.hostLabel() + ".")).count());
        assertTrue(cloudflare.requests().stream().filter(r -> r.matches("POST /accounts/.*/cfd_tunnel")).count() >= 1);
        cloudflare.clearFaults();
    }

    @Test
    void aPermanentRefusalFailsTheNodeAndRemovesItsTunnelAndRecord() {
        cloudflare.failNext("POST", "/zones/[^/]+/dns_records", 200,
                CloudflareDouble.envelope(false, null, CloudflareDouble.error(1004, "DNS Validation Error")), Map.of());
        buy("cs_test_cft_refused");
        Node failed = service.awaitNode("cs_test_cft_refused-0", SETTLED, n -> n.state().isFinal());
        assertEquals(NodeState.FAILED, failed.state());
        assertTrue(failed.lastError().contains("1004"), failed.lastError());
        RunningService.await(Duration.ofSeconds(30), () -> cloudflare.liveTunnels().stream()
                .noneMatch(t -> t.name.equals("edge-hive-" + failed.nodeId())), () -> "tunnel still there: " + cloudflare.liveTunnels());
        assertTrue(cloudflare.records().stream().noneMatch(r -> r.name().startsWith(failed.hostLabel())));
        cloudflare.clearFaults();
    }

    @Test
    void theReconcilerRecordsTunnelStatusNotesDriftAndRemovesOrphans() {
        cloudflare.addTunnel("edge-hive-cs_test_cft_ghost-0");
        cloudflare.addRecord("CNAME", "node-ghost." + TestCloud.ZONE, "ghost.cfargotunnel.com", true, "edge-hive-cs_test_cft_ghost-0");
        cloudflare.addRecord("A", "www." + TestCloud.ZONE, "198.51.100.7", true, "the operator's own");
        buy("cs_test_cft_watch");
        Node node = ready("cs_test_cft_watch-0");
        String user = Tokens.user("user-cs_test_cft_watch");

        cloudflare.connect("edge-hive-" + node.nodeId(), "healthy");
        Map<String, List<String>> findings = audit();
        assertFalse(findings.get("drift").contains(node.nodeId()), findings.toString());
        assertEquals(2, findings.get("access-orphan").size(), findings.toString());
        assertTrue(cloudflare.liveTunnels().stream().noneMatch(t -> t.name.contains("ghost")), "the orphan tunnel was removed");
        assertTrue(cloudflare.records().stream().noneMatch(r -> r.name().startsWith("node-ghost")), "the orphan record was removed");
        assertTrue(cloudflare.records().stream().anyMatch(r -> r.name().startsWith("www.")), "the operator's record stays");
        assertEquals("healthy", Api.json(api.get("/api/v1/nodes/" + node.nodeId(), user)).at("/tunnel/status").asText());

        cloudflare.connect("edge-hive-" + node.nodeId(), "down");
        assertTrue(audit().get("drift").contains(node.nodeId()));
        Node drifted = service.nodes().get(node.nodeId());
        assertEquals("down", drifted.tunnelStatus());
        assertTrue(drifted.drift().contains("is down while the node is READY"), drifted.drift());
        assertEquals("down", Api.json(api.get("/api/v1/nodes/" + node.nodeId(), user)).at("/tunnel/status").asText());

        // Its tunnel deleted behind the service's back: drift, and the node asking for its token is
        // told to come back later (503 with Retry-After), not given anything.
        cloudflare.deleteTunnel("edge-hive-" + node.nodeId());
        assertTrue(audit().get("drift").contains(node.nodeId()));
        assertEquals("gone", service.nodes().get(node.nodeId()).tunnelStatus());
        HttpResponse<String> notYet = fetch(node.nodeId(), new NodeTokens(NODE_TOKEN_SECRET).tokenOf(node.nodeId()));
        assertProblem(503, notYet, "no tunnel");
        assertEquals("10", notYet.headers().firstValue("Retry-After").orElse(""), notYet.headers().map().toString());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, List<String>> audit() {
        return service.context().createProducerTemplate().requestBody("direct:reconcile", null, Map.class);
    }

    private static void buy(String session) {
        HttpResponse<String> paid = service.postSignedWebhook(StripeSigner.checkoutCompleted("evt_" + session, session,
                "user-" + session, session + "@example.com", StripeSigner.PRO_PLAN));
        assertEquals(200, paid.statusCode(), paid.body());
    }

    private static Node ready(String nodeId) {
        Node node = service.awaitNode(nodeId, SETTLED, n -> n.state() == NodeState.READY || n.state().isFinal());
        assertEquals(NodeState.READY, node.state(), node::lastError);
        return node;
    }

    private static CloudflareDouble.Tunnel tunnelOf(Node node) {
        return cloudflare.liveTunnels().stream().filter(t -> t.name.equals("edge-hive-" + node.nodeId())).findFirst().orElseThrow();
    }

    private static String userDataOf(Node node) {
        return new String(Base64.getDecoder().decode(RunningService.ec2().describeInstanceAttribute(b -> b
                .instanceId(node.instanceId()).attribute("userData")).userData().value()), StandardCharsets.UTF_8);
    }

    private static HttpResponse<String> fetch(String nodeId, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service.url("/node-agent/v1/nodes/" + nodeId + "/tunnel-token"))).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return RunningService.send(request.build());
    }

    private static void assertProblem(int status, HttpResponse<String> response, String what) {
        assertEquals(status, response.statusCode(), what + ": " + response.body());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""), what);
        assertEquals(status, Api.json(response).path("status").asInt(), what);
        assertFalse(response.body().contains("tunnelToken"), what);
    }
}
