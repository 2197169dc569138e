package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;


import cloud.edgehive.harness.AwsRecorder;
import cloud.edgehive.harness.RunningService;
import cloud.edgehive.harness.StripeSigner;
import cloud.edgehive.harness.TestCloud;
import cloud.edgehive.problem.ProblemException;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeRequest;
import cloud.edgehive.store.NodeState;
import cloud.edgehive.store.NodeStore;
import cloud.edgehive.store.SlotAllocator;
import cloud.edgehive.store.Tables;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.route53.Route53Client;

/** Restart, suspend, resume and terminate against moto: every operation leaves nothing behind. */
class LifecycleTest {

    private static TestCloud cloud;
    private static RunningService service;
    /** EC2 as the service sees it: a reboot leaves no trace in moto, so the calls are counted on the way. */
    private static AwsRecorder ec2;
    private static final Ec2Client EC2 = RunningService.ec2();
    private static final Route53Client ROUTE53 = RunningService.route53();

    @BeforeAll
    static void start() {
        cloud = TestCloud.fresh("lifecycle");
        ec2 = new AwsRecorder();
        java.util.Map<String, String> config = cloud.config();
        config.put("aws.ec2.endpoint", ec2.url());
        service = RunningService.start(config);
    }

    @AfterAll
    static void stop() {
        service.close();
        cloud.close();
        ec2.close();
    }

    @Test
    void restartRebootsAndShowsTheTransition() {
        Node node = readyNode("restart");
        Node after = call("direct:restart-node", node.nodeId(), null);
        assertEquals(NodeState.READY, after.state());
        List<String> states = after.history().stream().map(h -> h.get("state")).toList();
        assertEquals(List.of("RESTARTING", "READY"), states.subList(states.size() - 2, states.size()));
        assertEquals("running", instanceOf(node).state().nameAsString());
        assertEquals(1, ec2.ec2Calls("RebootInstances", node.instanceId()), "the instance was rebooted once");
    }

    @Test
    void suspendStopsAndResumeStartsAgainWithDnsFollowingTheAddress() {
        Node node = readyNode("suspend");
        Node suspended = call("direct:suspend-node", node.nodeId(), "payment overdue");
        assertEquals(NodeState.SUSPENDED, suspended.state());
        assertEquals("stopped", instanceOf(node).state().nameAsString());
        // The stopped instance's public IP went back to AWS: no record may point at it meanwhile.
        assertNull(recordValue(node), "no DNS record while suspended");
        assertNull(suspended.host(), "no address while suspended");

        Node resumed = call("direct:resume-node", node.nodeId(), "paid");
        assertEquals(NodeState.READY, resumed.state());
        Instance instance = instanceOf(node);
        assertEquals("running", instance.state().nameAsString());
        assertEquals(instance.publicIpAddress(), resumed.host());
        assertEquals(instance.publicIpAddress(), recordValue(node));
    }

    @Test
    void terminateRemovesEverythingOnceAndIsIdempotent() throws Exception {
        Node node = readyNode("terminate");
        int slot = node.slot();
        Node terminated = call("direct:terminate-node", node.nodeId(), "user request");
        assertEquals(NodeState.TERMINATED, terminated.state());
        assertEquals("terminated", instanceOf(node).state().nameAsString());
        assertNull(recordValue(node), "DNS record removed");
        assertNull(service.bean("slotAllocator", SlotAllocator.class).holder(slot), "slot released");

        Node again = call("direct:terminate-node", node.nodeId(), "user request");
        assertEquals(NodeState.TERMINATED, again.state());
        assertEquals(1, cloud.mailsTo("terminate@example.com", "terminated").size(), "one termination email");

        ProblemException refused = problem("direct:restart-node", node.nodeId());
        assertEquals(409, refused.getStatus());
    }

    @Test
    void terminateHalfProvisionedNodeFindsItsInstanceByTag() {
        String id = "cs_test_half-0";
        // A worker (this test, under its own worker id and a long lease) launched the instance and
        // "died" before recording it: the node is LAUNCHING with no instance id, the lease still live.
        NodeStore worker = new NodeStore(RunningService.dynamo(), new Tables("edgehive-"), Clock.systemUTC(),
                "half-provisioning-worker", Duration.ofMinutes(10));
        String orphan = EC2.runInstances(b -> b.imageId(TestCloud.anyImage()).minCount(1).maxCount(1).instanceType("t4g.small")
                .tagSpecifications(t -> t.resourceType("instance").tags(
                        x -> x.key("edgehive:node-id").value(id), x -> x.key("managed-by").value("edge-hive-cloud"))))
                .instances().get(0).instanceId();
        worker.create(new NodeRequest(id, "user-half", "half@example.com", "pro", "us-east-1", "t4g.small", 10,
                "cs_test_half", null, null));
        Node claimed = worker.claim(id);
        assertNotNull(claimed, "the reconciler took the node before the test could: rerun");
        Node allocated = new SlotAllocator(RunningService.dynamo(), new Tables("edgehive-"), worker, "default", 3000).allocate(claimed);
        assertEquals(NodeState.LAUNCHING, worker.advance(allocated, NodeState.LAUNCHING, Map.of(), "launch requested").state());

        Node terminated = call("direct:terminate-node", id, "user request");
        assertEquals(NodeState.TERMINATED, terminated.state());
        assertEquals("terminated", EC2.describeInstances(b -> b.instanceIds(orphan)).reservations().get(0).instances().get(0)
                .state().nameAsString());
        assertNull(service.bean("slotAllocator", SlotAllocator.class).holder(allocated.slot()));
        assertEquals(List.of("REQUESTED", "ALLOCATED", "LAUNCHING", "TERMINATING", "TERMINATED"),
                terminated.history().stream().map(h -> h.get("state")).toList());
    }

    private static Node call(String endpoint, String nodeId, String reason) {
        Exchange done = send(endpoint, nodeId, reason);
        if (done.getException() != null) {
            throw new AssertionError(endpoint + " failed", done.getException());
        }
        return service.nodes().get(nodeId);
    }

    private static ProblemException problem(String endpoint, String nodeId) {
        Exception failure = send(endpoint, nodeId, null).getException();
        assertTrue(failure instanceof ProblemException, () -> "expected a problem, got " + failure);
        return (ProblemException) failure;
    }

    private static Exchange send(String endpoint, String nodeId, String reason) {
        ProducerTemplate template = service.context().createProducerTemplate();
        return template.send(endpoint, exchange -> {
            exchange.getMessage().setBody(nodeId);
            exchange.setVariable("reason", reason);
        });
    }

    private static Node readyNode(String name) {
        String session = "cs_test_" + name;
        assertEquals(200, service.postSignedWebhook(StripeSigner.checkoutCompleted("evt_" + name, session, "user-" + name,
                name + "@example.com", StripeSigner.PRO_PLAN)).statusCode());
        Node node = service.awaitNode(session + "-0", Duration.ofSeconds(60), n -> n.state() == NodeState.READY || n.state().isFinal());
        assertEquals(NodeState.READY, node.state(), node::lastError);
        return node;
    }

    private static Instance instanceOf(Node node) {
        return EC2.describeInstances(b -> b.instanceIds(node.instanceId())).reservations().get(0).instances().get(0);
    }

    private static String recordValue(Node node) {
        return ROUTE53.listResourceRecordSets(b -> b.hostedZoneId(cloud.zoneId())).resourceRecordSets().stream()
                .filter(r -> r.name().equals(node.hostLabel() + ".nodes.test.example."))
                .map(r -> r.resourceRecords().get(0).value()).findFirst().orElse(null);
    }
}
