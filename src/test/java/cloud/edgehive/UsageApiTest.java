package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import cloud.edgehive.harness.Api;
import cloud.edgehive.harness.Emulators;
import cloud.edgehive.harness.MutableClock;
import cloud.edgehive.harness.RunningService;
import cloud.edgehive.harness.Tokens;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeRequest;
import cloud.edgehive.store.NodeState;
import cloud.edgehive.store.NodeStore;

/**
 * GET /api/v1/usage with the service on a clock the test moves: node-hours come from the recorded
 * transitions (time in a state where the instance runs), clipped to the calendar month.
 */
class UsageApiTest {

    private static final MutableClock CLOCK = new MutableClock(Instant.parse("2030-04-28T00:00:00Z"));
    private static RunningService service;
    private static Api api;

    @BeforeAll
    static void start() {
        Emulators.resetAws();
        Map<String, String> settings = RunningService.defaults(2525, "Z0000000000000");
        // The test writes the nodes' transitions itself; the reconciler must not resume them meanwhile.
        settings.put("reconciler.initial-delay-ms", "3600000");
        settings.put("plans.enterprise.node-limit", "25");
        service = RunningService.start(settings, Map.of("clock", CLOCK));
        api = new Api(service);
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    @Test
    void nodeHoursFollowTheRecordedTransitionsWithinTheMonth() {
        NodeStore nodes = service.nodes();
        // Ready since April: only May's hours count.
        Node always = at("2030-04-28T00:00:00Z", () -> created(nodes, "usage-always", "enterprise"));
        always = at("2030-04-28T00:10:00Z", step(nodes, always, NodeState.RUNNING));
        at("2030-04-28T00:15:00Z", step(nodes, always, NodeState.READY));
        // Created and terminated in April: not in May's report at all.
        Node gone = at("2030-04-28T00:00:00Z", () -> created(nodes, "usage-gone", "enterprise"));
        gone = at("2030-04-28T01:00:00Z", step(nodes, gone, NodeState.READY));
        at("2030-04-29T01:00:00Z", step(nodes, gone, NodeState.TERMINATED));
        // May: 24 h up, a day suspended, 26 h up again (resuming and terminating count), terminated.
        Node busy = at("2030-05-01T23:00:00Z", () -> created(nodes, "usage-busy", "enterprise"));
        busy = at("2030-05-02T00:00:00Z", step(nodes, busy, NodeState.RUNNING));
        busy = at("2030-05-02T01:00:00Z", step(nodes, busy, NodeState.READY));
        busy = at("2030-05-03T00:00:00Z", step(nodes, busy, NodeState.SUSPENDED));
        busy = at("2030-05-04T00:00:00Z", step(nodes, busy, NodeState.RESUMING));
        busy = at("2030-05-04T01:00:00Z", step(nodes, busy, NodeState.READY));
        busy = at("2030-05-05T00:00:00Z", step(nodes, busy, NodeState.TERMINATING));
        at("2030-05-05T02:00:00Z", step(nodes, busy, NodeState.TERMINATED));
        // Someone else's node never shows.
        Node other = at("2030-05-01T00:00:00Z", () -> nodes.claim(create(nodes, "usage-other", "someone-else", "pro")));
        at("2030-05-01T00:00:00Z", step(nodes, other, NodeState.READY));

        CLOCK.set(Instant.parse("2030-05-10T12:00:00Z"));
        JsonNode may = usage();
        assertEquals("2030-05-01T00:00:00Z", may.get("periodStart").asText());
        assertEquals("2030-06-01T00:00:00Z", may.get("periodEnd").asText());
        assertEquals("2030-05-10T12:00:00Z", may.get("asOf").asText());
        assertEquals(Map.of("usage-always", 228.0, "usage-busy", 50.0), hoursByNode(may));
        assertEquals(278.0, may.get("totalNodeHours").asDouble());
        assertEquals(1, may.get("nodesInUse").asInt());
        assertEquals("enterprise", may.get("plan").asText());
        assertEquals(25, may.get("nodeLimit").asInt(), "plans.enterprise.node-limit");

        CLOCK.advance(Duration.ofHours(2));
        assertEquals(280.0, usage().get("totalNodeHours").asDouble());

        CLOCK.set(Instant.parse("2030-06-01T03:30:00Z"));
        JsonNode june = usage();
        assertEquals(Map.of("usage-always", 3.5), hoursByNode(june));
        assertEquals(3.5, june.get("totalNodeHours").asDouble());
    }

    @Test
    void aCallerWithoutNodesHasNoUsageAndTheDefaultPlansLimit() {
        CLOCK.set(Instant.parse("2030-05-10T12:00:00Z"));
        HttpResponse<String> response = api.get("/api/v1/usage", token("user-without-nodes"));
        assertEquals(200, response.statusCode(), response.body());
        JsonNode report = Api.json(response);
        assertEquals(0, report.get("nodes").size());
        assertEquals(0.0, report.get("totalNodeHours").asDouble());
        assertEquals(0, report.get("nodesInUse").asInt());
        assertEquals("pro", report.get("plan").asText());
        assertEquals(1, report.get("nodeLimit").asInt());
    }

    private static JsonNode usage() {
        HttpResponse<String> response = api.get("/api/v1/usage", token("user-usage"));
        assertEquals(200, response.statusCode(), response.body());
        return Api.json(response);
    }

    /** A token valid on the service's clock, not the machine's. */
    private static String token(String userId) {
        return Tokens.sign(RunningService.JWT_SECRET, Tokens.claims(userId, List.of(), CLOCK.instant().plusSeconds(600)).build());
    }

    private static Map<String, Double> hoursByNode(JsonNode report) {
        Map<String, Double> hours = new LinkedHashMap<>();
        report.get("nodes").forEach(n -> hours.put(n.get("id").asText(), n.get("nodeHours").asDouble()));
        return hours;
    }

    private static Node created(NodeStore nodes, String id, String plan) {
        return nodes.claim(create(nodes, id, "user-usage", plan));
    }

    private static String create(NodeStore nodes, String id, String userId, String plan) {
        nodes.create(new NodeRequest(id, userId, null, plan, "us-east-1", "t4g.small", 10, null, null, null));
        return id;
    }

    private static java.util.function.Supplier<Node> step(NodeStore nodes, Node node, NodeState to) {
        return () -> nodes.advance(node, to, Map.of(), "test: " + to);
    }

    private static Node at(String instant, java.util.function.Supplier<Node> action) {
        CLOCK.set(Instant.parse(instant));
        return action.get();
    }
}
