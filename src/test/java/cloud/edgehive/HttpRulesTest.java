package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import cloud.edgehive.harness.Api;
import cloud.edgehive.harness.RunningService;
import cloud.edgehive.harness.StripeSigner;
import cloud.edgehive.harness.TestCloud;
import cloud.edgehive.harness.Tokens;
import cloud.edgehive.store.EventStore;
import cloud.edgehive.store.NodeState;

/**
 * The attacks on the HTTP surface, each on every route: a probe header and a probe query parameter
 * must not come back (headers or body, on answers and on problems alike); a token or a Stripe
 * signature in the URL or in a form field is refused; a body over the cap is refused before it is
 * read; health says only UP or DOWN, whatever the caller asks for.
 */
class HttpRulesTest {

    private static TestCloud cloud;
    private static RunningService service;
    private static String nodeId;

    @BeforeAll
    static void start() {
        cloud = TestCloud.fresh("http-rules");
        service = RunningService.start(cloud.config());
        nodeId = "cs_test_http_rules-0";
        assertEquals(200, service.postSignedWebhook(StripeSigner.checkoutCompleted("evt_http_rules", "cs_test_http_rules", "user-http",
                "http@example.com", StripeSigner.PRO_PLAN)).statusCode());
        service.awaitNode(nodeId, Duration.ofSeconds(60), n -> n.state() == NodeState.READY);
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        cloud.close();
    }

    @Test
    void noRouteEchoesARequestHeaderOrQueryParameter() {
        JsonNode doc = Api.json(new Api(service).get("/api/v1/openapi.json", null));
        List<String[]> calls = new ArrayList<>();
        calls.add(new String[] {"GET", "/api/v1/openapi.json"});
        for (Iterator<Map.Entry<String, JsonNode>> paths = doc.get("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            path.getValue().fieldNames().forEachRemaining(method -> calls.add(new String[] {method.toUpperCase(),
                    path.getKey().replace("{id}", path.getKey().contains("dead-letters") ? "dl-none" : nodeId)}));
        }
        calls.add(new String[] {"GET", "/no/such/route"});
        // Deleting the node goes last, so every other call sees it.
        calls.sort((a, b) -> Boolean.compare(a[0].equals("DELETE"), b[0].equals("DELETE")));
        assertTrue(calls.size() > 10, "the document lists the routes: " + calls.size());

        TreeSet<Integer> statuses = new TreeSet<>();
        for (String[] call : calls) {
            for (String token : new String[] {Tokens.admin("ops"), null}) {
                String probeHeader = "probe-h-" + UUID.randomUUID();
                String probeQuery = "probe-q-" + UUID.randomUUID();
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service.url(call[1] + "?X-Probe-Q=" + probeQuery)))
                        .header("X-Probe-H", probeHeader).header("Content-Type", "application/json")
                        .method(call[0], call[0].equals("GET") || call[0].equals("DELETE") ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString("{}"));
                if (token != null) {
                    request.header("Authorization", "Bearer " + token);
                }
                HttpResponse<String> answer = RunningService.send(request.build());
                statuses.add(answer.statusCode());
                String where = call[0] + " " + call[1] + (token == null ? " without a token" : " as admin") + " -> " + answer.statusCode();
                answer.headers().map().forEach((name, values) -> {
                    assertFalse(name.toLowerCase().startsWith("x-probe"), where + " echoed the header name " + name);
                    values.forEach(v -> assertFalse(v.contains(probeHeader) || v.contains(probeQuery) || v.contains(token == null ? "\0" : token),
                            where + " echoed " + name + ": " + v));
                });
                assertFalse(answer.body().contains(probeHeader) || answer.body().contains(probeQuery), where + " echoed in its body");
            }
        }
        // The webhook, signed and not.
        String payload = StripeSigner.checkoutCompleted("evt_probe", "cs_test_probe", "user-probe", "p@example.com", "{\"plan\":\"gold\"}");
        for (boolean signed : new boolean[] {true, false}) {
            String probeHeader = "probe-h-" + UUID.randomUUID();
            String probeQuery = "probe-q-" + UUID.randomUUID();
            byte[] body = payload.getBytes(StandardCharsets.UTF_8);
            HttpResponse<String> answer = RunningService.send(HttpRequest.newBuilder(URI.create(service.url("/api/v1/stripe/webhook?X-Probe-Q="
                    + probeQuery))).header("X-Probe-H", probeHeader).header("Content-Type", "application/json")
                    .header("Stripe-Signature", signed ? StripeSigner.header(RunningService.WEBHOOK_SECRET, body) : "t=1,v1=00")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
            statuses.add(answer.statusCode());
            assertEquals(signed ? 200 : 400, answer.statusCode(), answer.body());
            answer.headers().map().forEach((name, values) -> values.forEach(v -> assertFalse(v.contains(probeHeader)
                    || v.contains(probeQuery) || name.toLowerCase().startsWith("x-probe") || name.equalsIgnoreCase("stripe-signature"),
                    "webhook echoed " + name + ": " + v)));
        }
        assertTrue(statuses.contains(200) && statuses.contains(401) && statuses.contains(404) && statuses.contains(400),
                "answers and problems were both probed: " + statuses);
    }

    @Test
    void credentialsInTheUrlOrAFormAreRefused() {
        String admin = Tokens.admin("ops");
        String encoded = URLEncoder.encode("Bearer " + admin, StandardCharsets.UTF_8);
        for (String query : List.of("?Authorization=" + encoded, "?authorization=" + encoded)) {
            HttpResponse<String> answer = RunningService.send(HttpRequest.newBuilder(URI.create(service.url("/api/v1/nodes" + query)))
                    .GET().build());
            assertProblem(answer, 401);
        }
        // Even beside a valid header: the token has already leaked into logs along the way.
        assertProblem(RunningService.send(HttpRequest.newBuilder(URI.create(service.url("/api/v1/nodes?Authorization=" + encoded)))
                .header("Authorization", "Bearer " + admin).GET().build()), 401);
        // A form field named like the header is not the header (a cross-site form could send one).
        long version = service.nodes().get(nodeId).version();
        assertProblem(RunningService.send(HttpRequest.newBuilder(URI.create(service.url("/api/v1/nodes/" + nodeId + "/restart")))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("Authorization=" + encoded)).build()), 401);
        assertEquals(version, service.nodes().get(nodeId).version(), "nothing was restarted");

        String payload = StripeSigner.checkoutCompleted("evt_sig_in_url", "cs_test_sig_in_url", "user-url", "u@example.com",
                StripeSigner.PRO_PLAN);
        byte[] body = payload.getBytes(StandardCharsets.UTF_8);
        String signature = URLEncoder.encode(StripeSigner.header(RunningService.WEBHOOK_SECRET, body), StandardCharsets.UTF_8);
        assertProblem(RunningService.send(HttpRequest.newBuilder(URI.create(service.url("/api/v1/stripe/webhook?Stripe-Signature=" + signature)))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build()), 400);
        assertNull(service.bean("eventStore", EventStore.class).status("evt_sig_in_url"), "nothing recorded");
    }

    @Test
    void aBodyOverTheCapIsRefusedBeforeItIsRead() {
        byte[] big = ("{\"userId\":\"" + "x".repeat(1_100_000) + "\"}").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> answer = RunningService.send(HttpRequest.newBuilder(URI.create(service.url("/api/v1/nodes/provision")))
                .header("Content-Type", "application/json").header("Idempotency-Key", "too-big")
                .header("Authorization", "Bearer " + Tokens.admin("ops")).POST(HttpRequest.BodyPublishers.ofByteArray(big)).build());
        assertProblem(answer, 413);
        assertTrue(service.nodes().find("admin-too-big-0").isEmpty());
    }

    @Test
    void healthSaysUpOrDownOnly() {
        HttpResponse<String> health = RunningService.send(HttpRequest.newBuilder(URI.create(service.managementUrl("/observe/health")))
                .GET().build());
        assertEquals(200, health.statusCode(), health.body());
        JsonNode status = Api.json(health);
        assertEquals("UP", status.path("status").asText());
        assertEquals(List.of("status"), fieldNames(status), "no checks or details: " + health.body());
        assertProblem(RunningService.send(HttpRequest.newBuilder(URI.create(service.managementUrl("/observe/health?exposureLevel=full")))
                .GET().build()), 400);
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static void assertProblem(HttpResponse<String> answer, int status) {
        assertEquals(status, answer.statusCode(), answer.body());
        assertEquals("application/problem+json", answer.headers().firstValue("Content-Type").orElse(""), answer.body());
        assertEquals(status, Api.json(answer).path("status").asInt(), answer.body());
    }
}
