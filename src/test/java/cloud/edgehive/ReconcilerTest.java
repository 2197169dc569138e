package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;


import cloud.edgehive.harness.RunningService;
import cloud.edgehive.harness.TestCloud;
import cloud.edgehive.harness.StripeSigner;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeRequest;
import cloud.edgehive.store.NodeState;
import cloud.edgehive.store.NodeStore;
import cloud.edgehive.store.SlotAllocator;
import cloud.edgehive.store.Tables;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.ec2.Ec2Client;

/** The reconciler's audit against moto: orphans, drift, and nodes a hung worker sits on. */
class ReconcilerTest {

    private static final Ec2Client EC2 = RunningService.ec2();
    private static TestCloud cloud;

    @BeforeAll
    static void start() {
        cloud = TestCloud.fresh("reconciler");
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    @Test
    void orphansAreReportedAndTerminatedOnlyWhenConfigured() {
        String ghost = launchTagged("cs_test_ghost-0");
        try (RunningService service = RunningService.start(config(false))) {
            assertTrue(audit(service).get("orphan").contains(ghost));
            assertEquals("running", state(ghost), "only reported");
        }
        try (RunningService service = RunningService.start(config(true))) {
            assertTrue(audit(service).get("orphan").contains(ghost));
            assertEquals("terminated", state(ghost));
            String metrics = RunningService.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(service.managementUrl("/observe/metrics"))).GET().build()).body();
            assertTrue(metrics.contains("edgehive_reconciler_findings_total{kind=\"orphan\"} 1.0"), metrics);
            assertTrue(!audit(service).get("orphan").contains(ghost), "reported once it is gone: never again");
        }
    }

    @Test
    void aReadyNodeWhoseInstanceStoppedIsFlagged() {
        try (RunningService service = RunningService.start(config(false))) {
            assertEquals(200, service.postSignedWebhook(StripeSigner.checkoutCompleted("evt_drift", "cs_test_drift", "user-drift",
                    "drift@example.com", StripeSigner.PRO_PLAN)).statusCode());
            Node node = service.awaitNode("cs_test_drift-0", Duration.ofSeconds(60), n -> n.state() == NodeState.READY);
            assertTrue(!audit(service).get("drift").contains(node.nodeId()));
            EC2.stopInstances(b -> b.instanceIds(node.instanceId()));
            assertTrue(audit(service).get("drift").contains(node.nodeId()));
            Node flagged = service.nodes().get(node.nodeId());
            assertNotNull(flagged.drift());
            assertTrue(flagged.drift().contains("STOPPED"), flagged.drift());
        }
    }

    @Test
    void aNodeAHungWorkerSitsOnIsRetriedThenFailedWhenRetriesRunOut() {
        try (RunningService service = RunningService.start(config(false))) {
            Node retried = hungNode(service, "cs_test_hung-0", 0);
            Node failing = hungNode(service, "cs_test_hung_again-0", 3);
            Map<String, List<String>> findings = audit(service);
            assertTrue(findings.get("stuck").containsAll(List.of(retried.nodeId(), failing.nodeId())), findings.toString());

            Node ready = service.awaitNode(retried.nodeId(), Duration.ofSeconds(60), n -> n.state() == NodeState.READY || n.state().isFinal());
            assertEquals(NodeState.READY, ready.state(), ready::lastError);
            assertEquals(1, ready.resumes());

            Node failed = service.awaitNode(failing.nodeId(), Duration.ofSeconds(30), n -> n.state().isFinal());
            assertEquals(NodeState.FAILED, failed.state());
            assertNotNull(failed.deadLetterId());
            assertEquals(null, service.bean("slotAllocator", SlotAllocator.class).holder(failing.slot()), "slot released");
        }
    }

    /** A node ALLOCATED two hours ago by a worker that still holds a live lease but never moved on. */
    private static Node hungNode(RunningService service, String id, int resumes) {
        Clock twoHoursAgo = Clock.fixed(Instant.now().minus(Duration.ofHours(2)), ZoneOffset.UTC);
        NodeStore hung = new NodeStore(RunningService.dynamo(), new Tables("edgehive-"), twoHoursAgo, "hung-worker",
                Duration.ofHours(3));
        hung.create(new NodeRequest(id, "user-hung", "hung@example.com", "pro", "us-east-1", "t4g.small", 10, "cs", null, null));
        Node node = new SlotAllocator(RunningService.dynamo(), new Tables("edgehive-"), hung, "default", 3000).allocate(hung.claim(id));
        if (resumes > 0) {
            RunningService.dynamo().updateItem(b -> b.tableName("edgehive-nodes").key(Map.of("nodeId", AttributeValue.fromS(id)))
                    .updateExpression("SET resumes = :r").expressionAttributeValues(Map.of(":r", AttributeValue.fromN("" + resumes))));
        }
        assertEquals(NodeState.ALLOCATED, service.nodes().get(id).state());
        return node;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, List<String>> audit(RunningService service) {
        return service.context().createProducerTemplate().requestBody("direct:reconcile", null, Map.class);
    }

    private static Map<String, String> config(boolean terminateOrphans) {
        Map<String, String> config = cloud.config();
        config.put("reconciler.terminate-orphans", String.valueOf(terminateOrphans));
        config.put("reconciler.stuck-after-seconds", "60");
        return config;
    }

    private static String launchTagged(String nodeId) {
        return EC2.runInstances(b -> b.imageId(EC2.describeImages(i -> i.owners("amazon")).images().get(0).imageId())
                .minCount(1).maxCount(1).instanceType("t4g.small").tagSpecifications(t -> t.resourceType("instance").tags(
                        x -> x.key("edgehive:node-id").value(nodeId), x -> x.key("managed-by").value("edge-hive-cloud"))))
                .instances().get(0).instanceId();
    }

    private static String state(String instanceId) {
        return EC2.describeInstances(b -> b.instanceIds(instanceId)).reservations().get(0).instances().get(0).state().nameAsString();
    }
}
