package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import com.icegreen.greenmail.util.GreenMail;

import cloud.edgehive.harness.Api;
import cloud.edgehive.harness.AwsRecorder;
import cloud.edgehive.harness.RunningService;
import cloud.edgehive.harness.TestCloud;
import cloud.edgehive.store.NodeIds;
import cloud.edgehive.access.AccessProvider;
import cloud.edgehive.harness.StripeSigner;
import cloud.edgehive.harness.Tokens;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeRequest;
import cloud.edgehive.store.NodeState;
import cloud.edgehive.store.SlotAllocator;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.route53.Route53Client;

/**
 * The node management API against moto and GreenMail: the owner lists, reads, restarts and deletes
 * their nodes; a delete leaves nothing of the node in EC2, Route 53 or the slot table, from any state.
 */
class NodesApiTest {

    private static TestCloud cloud;
    private static RunningService service;
    /** EC2 as the service sees it: a reboot leaves no trace in moto, so the calls are counted on the way. */
    private static AwsRecorder ec2;
    private static Api api;
    private static final Ec2Client EC2 = RunningService.ec2();
    private static final Route53Client ROUTE53 = RunningService.route53();
    private static final DynamoDbClient DYNAMO = RunningService.dynamo();

    @BeforeAll
    static void start() {
        cloud = TestCloud.fresh("nodes-api");
        ec2 = new AwsRecorder();
        java.util.Map<String, String> config = cloud.config();
        config.put("aws.ec2.endpoint", ec2.url());
        service = RunningService.start(config);
        api = new Api(service);
    }

    @AfterAll
    static void stop() {
        service.close();
        cloud.close();
        ec2.close();
    }

    @Test
    void ownersListAndReadTheirNodesWithoutInternals() {
        Node node = readyNode("list");
        HttpResponse<String> list = api.get("/api/v1/nodes", Tokens.user("user-list"));
        assertEquals(200, list.statusCode(), list.body());
        assertEquals("application/json", list.headers().firstValue("Content-Type").orElse(""));
        JsonNode nodes = Api.json(list).get("nodes");
        assertEquals(1, nodes.size(), list.body());
        JsonNode listed = nodes.get(0);
        assertEquals(node.nodeId(), listed.get("id").asText());
        assertEquals("READY", listed.get("state").asText());
        assertEquals(node.url(), listed.get("url").asText());
        assertEquals("us-east-1", listed.get("region").asText());
        assertEquals("t4g.small", listed.get("instanceType").asText());
        assertEquals("pro", listed.get("plan").asText());
        assertEquals(node.createdAt(), listed.get("createdAt").asText());

        HttpResponse<String> one = api.get("/api/v1/nodes/" + node.nodeId(), Tokens.user("user-list"));
        assertEquals(200, one.statusCode(), one.body());
        JsonNode detail = Api.json(one);
        List<String> states = new ArrayList<>();
        detail.get("history").forEach(step -> states.add(step.get("state").asText()));
        assertEquals(List.of("REQUESTED", "ALLOCATED", "LAUNCHING", "RUNNING", "ACCESS_READY", "READY"), states);
        assertTrue(detail.get("history").get(0).has("at") && detail.get("history").get(0).has("note"));
        assertFalse(detail.has("lastError"), "no error recorded");
        for (String internal : List.of("leaseOwner", "leaseUntil", "version", "sessionId", "customerId", "notified")) {
            assertFalse(detail.has(internal) || listed.has(internal), internal + " is not exposed");
        }
        assertFalse(one.headers().firstValue("Authorization").isPresent(), "the token is not echoed");

        HttpResponse<String> anonymous = api.get("/api/v1/nodes/" + node.nodeId(), null);
        assertEquals(401, anonymous.statusCode(), anonymous.body());
        assertEquals("application/problem+json", anonymous.headers().firstValue("Content-Type").orElse(""));
        HttpResponse<String> stranger = api.get("/api/v1/nodes/" + node.nodeId(), Tokens.user("someone-else"));
        assertEquals(404, stranger.statusCode(), stranger.body());

        HttpResponse<String> other = api.get("/api/v1/nodes", Tokens.user("someone-else"));
        assertEquals(0, Api.json(other).get("nodes").size());
    }

    @Test
    void restartRebootsAndShowsTheTransition() {
        Node node = readyNode("restart");
        HttpResponse<String> restarted = api.post("/api/v1/nodes/" + node.nodeId() + "/restart", Tokens.user("user-restart"), null, Map.of());
        assertEquals(200, restarted.statusCode(), restarted.body());
        JsonNode detail = Api.json(restarted);
        assertEquals("READY", detail.get("state").asText());
        JsonNode history = detail.get("history");
        assertEquals("RESTARTING", history.get(history.size() - 2).get("state").asText());
        assertEquals("READY", history.get(history.size() - 1).get("state").asText());
        assertEquals("running", instance(node.instanceId()).state().nameAsString());
        assertEquals(1, ec2.ec2Calls("RebootInstances", node.instanceId()), "the instance was rebooted once");
    }

    @Test
    void terminateFromReadyRemovesEverythingOnce() throws Exception {
        Node node = readyNode("terminate");
        HttpResponse<String> deleted = api.delete("/api/v1/nodes/" + node.nodeId(), Tokens.user("user-terminate"));
        assertEquals(200, deleted.statusCode(), deleted.body());
        assertEquals("TERMINATED", Api.json(deleted).get("state").asText());
        assertNothingLeft(node.nodeId(), node.slot());
        assertEquals(1, cloud.mailsTo("terminate@example.com", "terminated").size(), "one termination email");
    }

    @Test
    void terminateTwiceInARowIsIdempotent() throws Exception {
        Node node = readyNode("twice");
        String token = Tokens.user("user-twice");
        HttpResponse<String> first = api.delete("/api/v1/nodes/" + node.nodeId(), token);
        HttpResponse<String> second = api.delete("/api/v1/nodes/" + node.nodeId(), token);
        assertEquals(200, first.statusCode(), first.body());
        assertEquals(200, second.statusCode(), second.body());
        assertEquals("TERMINATED", Api.json(second).get("state").asText());
        assertNothingLeft(node.nodeId(), node.slot());
        assertEquals(1, cloud.mailsTo("twice@example.com", "terminated").size(), "one termination email");
        long terminatedSteps = service.nodes().get(node.nodeId()).history().stream()
                .filter(h -> h.get("state").equals("TERMINATED")).count();
        assertEquals(1, terminatedSteps, "terminated once");

        HttpResponse<String> restart = api.post("/api/v1/nodes/" + node.nodeId() + "/restart", token, null, Map.of());
        assertEquals(409, restart.statusCode(), restart.headers().map() + restart.body());
        assertEquals("application/problem+json", restart.headers().firstValue("Content-Type").orElse(""));
        assertEquals(409, Api.json(restart).get("status").asInt());
    }

    @Test
    void terminateHalfProvisionedNodeFindsItsInstanceByTag() throws Exception {
        String id = "cs_test_api-half-0";
        service.nodes().create(new NodeRequest(id, "user-half", "api-half@example.com", "pro", "us-east-1", "t4g.small", 10,
                "cs_test_api-half", null, null));
        // A worker that launched the instance but died before recording it: LAUNCHING, no instance id.
        Node claimed = service.nodes().claim(id);
        Node allocated = service.bean("slotAllocator", SlotAllocator.class).allocate(claimed);
        service.nodes().advance(allocated, NodeState.LAUNCHING, Map.of(), "launch requested");
        EC2.runInstances(b -> b.imageId(TestCloud.anyImage()).minCount(1).maxCount(1).instanceType("t4g.small")
                .tagSpecifications(t -> t.resourceType("instance").tags(
                        x -> x.key("edgehive:node-id").value(id), x -> x.key("managed-by").value("edge-hive-cloud"))));

        HttpResponse<String> deleted = api.delete("/api/v1/nodes/" + id, Tokens.user("user-half"));
        assertEquals(200, deleted.statusCode(), deleted.body());
        assertEquals("TERMINATED", Api.json(deleted).get("state").asText());
        assertNothingLeft(id, allocated.slot());
        assertEquals(1, cloud.mailsTo("api-half@example.com", "terminated").size(), "one termination email");
    }

    @Test
    void terminateRemovesARecordPublishedButNeverRecorded() throws Exception {
        String id = "cs_test_api-published-0";
        service.nodes().create(new NodeRequest(id, "user-published", "published@example.com", "pro", "us-east-1", "t4g.small", 10,
                "cs_test_api-published", null, null));
        // A worker that published the DNS record and died before writing dnsName to the node.
        Node allocated = service.bean("slotAllocator", SlotAllocator.class).allocate(service.nodes().claim(id));
        Instance launched = EC2.runInstances(b -> b.imageId(TestCloud.anyImage()).minCount(1).maxCount(1).instanceType("t4g.small")
                .tagSpecifications(t -> t.resourceType("instance").tags(x -> x.key("edgehive:node-id").value(id))))
                .instances().get(0);
        String address = instance(launched.instanceId()).publicIpAddress();
        Node running = service.nodes().advance(allocated, NodeState.RUNNING, Map.of(
                "instanceId", AttributeValue.fromS(launched.instanceId()), "host", AttributeValue.fromS(address)), "running");
        service.bean("access", AccessProvider.class).publish(running);

        HttpResponse<String> deleted = api.delete("/api/v1/nodes/" + id, Tokens.user("user-published"));
        assertEquals(200, deleted.statusCode(), deleted.body());
        assertNothingLeft(id, allocated.slot());
    }

    /** moto holds no live instance of the node, Route 53 no record, the slot table no slot. */
    private static void assertNothingLeft(String nodeId, int slot) {
        List<Instance> tagged = EC2.describeInstances(b -> b.filters(f -> f.name("tag:edgehive:node-id").values(nodeId)))
                .reservations().stream().flatMap(r -> r.instances().stream()).toList();
        assertFalse(tagged.isEmpty(), "the node had an instance");
        tagged.forEach(i -> assertEquals("terminated", i.state().nameAsString(), i.instanceId()));
        String label = NodeIds.hostLabel(nodeId);
        assertTrue(ROUTE53.listResourceRecordSets(b -> b.hostedZoneId(cloud.zoneId())).resourceRecordSets().stream()
                .noneMatch(r -> r.name().startsWith(label + ".")), "no DNS record");
        assertNull(service.bean("slotAllocator", SlotAllocator.class).holder(slot), "slot released");
        // A test may scan; the service never does.
        List<Map<String, AttributeValue>> held = DYNAMO.scan(b -> b.tableName("edgehive-slots")).items().stream()
                .filter(item -> item.values().stream().anyMatch(v -> nodeId.equals(v.s()))).toList();
        assertEquals(List.of(), held, "no slot names the node");
        assertEquals(NodeState.TERMINATED, service.nodes().get(nodeId).state());
    }

    private static Node readyNode(String name) {
        String session = "cs_test_api_" + name;
        assertEquals(200, service.postSignedWebhook(StripeSigner.checkoutCompleted("evt_api_" + name, session, "user-" + name,
                name + "@example.com", StripeSigner.PRO_PLAN)).statusCode());
        Node node = service.awaitNode(session + "-0", Duration.ofSeconds(60), n -> n.state() == NodeState.READY || n.state().isFinal());
        assertEquals(NodeState.READY, node.state(), node::lastError);
        return node;
    }

    private static Instance instance(String id) {
        return EC2.describeInstances(b -> b.instanceIds(id)).reservations().get(0).instances().get(0);
    }
}
