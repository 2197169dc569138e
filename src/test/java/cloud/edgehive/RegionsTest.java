package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import cloud.edgehive.compute.ComputeProvider;
import cloud.edgehive.harness.RunningService;
import cloud.edgehive.harness.StripeSigner;
import cloud.edgehive.harness.TestCloud;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeState;
import cloud.edgehive.store.SlotAllocator;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.ecs.model.Task;

/**
 * A plan offering two regions: a node bought in each runs in its own region (moto keeps regions
 * apart, as AWS does), is restarted and terminated there, the audit covers both, and nothing is left
 * in either. The nodes are ECS tasks on one shared host per region, reached through sslip.io.
 */
class RegionsTest {

    private static final String US = "us-east-1";
    private static final String EU = "eu-west-1";
    private static final String CLUSTER = "edgehive-nodes";

    private static TestCloud cloud;
    private static RunningService service;

    @BeforeAll
    static void start() {
        cloud = TestCloud.fresh("regions");
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    /** Both regions sold by one plan. */
    private static Map<String, String> config(Map<String, String> provider) {
        Map<String, String> config = new java.util.HashMap<>(cloud.config());
        config.putAll(provider);
        config.put("plans.pro.regions", US + "," + EU);
        return config;
    }

    @Test
    void instancesRunAreRebootedAndTerminatedInTheRegionTheyWereBoughtFor() {
        service = RunningService.start(config(Map.of()));
        try {
            Node us = readyNode("ec2-us", US);
            Node eu = readyNode("ec2-eu", EU);
            for (Node node : List.of(us, eu)) {
                String other = node.region().equals(US) ? EU : US;
                var instance = RunningService.ec2(node.region()).describeInstances(b -> b.instanceIds(node.instanceId()))
                        .reservations().get(0).instances().get(0);
                assertEquals("running", instance.state().nameAsString());
                assertTrue(instance.placement().availabilityZone().startsWith(node.region()), instance.placement().availabilityZone());
                assertTrue(tagged(other, node.nodeId()).isEmpty(), "nothing of it in " + other);
            }
            assertEquals(NodeState.READY, call("direct:restart-node", eu.nodeId()).state());
            assertEquals("running", tagged(EU, eu.nodeId()).get(0).state().nameAsString());
            for (Node node : List.of(us, eu)) {
                assertEquals(NodeState.TERMINATED, call("direct:terminate-node", node.nodeId()).state());
            }
            for (String region : List.of(US, EU)) {
                assertTrue(RunningService.ec2(region).describeInstances(b -> b.filters(
                        f -> f.name("tag:managed-by").values("edge-hive-cloud"),
                        f -> f.name("instance-state-name").values("pending", "running", "stopping", "stopped")))
                        .reservations().isEmpty(), "nothing left running in " + region);
            }
        } finally {
            service.close();
        }
    }

    @Test
    void tasksRunAreRestartedAndTerminatedInTheRegionTheyWereBoughtFor() {
        Map<String, TestCloud.EcsHost> hosts = Map.of(US, TestCloud.ecsHost(US, CLUSTER), EU, TestCloud.ecsHost(EU, CLUSTER));
        service = RunningService.start(config(TestCloud.ecsConfig(CLUSTER)));
        try {
            tasks(hosts);
        } finally {
            service.close();
        }
    }

    private static void tasks(Map<String, TestCloud.EcsHost> hosts) {
        Node us = readyNode("ecs-us", US);
        Node eu = readyNode("ecs-eu", EU);

        for (Node node : List.of(us, eu)) {
            String other = node.region().equals(US) ? EU : US;
            TestCloud.EcsHost host = hosts.get(node.region());
            assertTrue(node.instanceId().startsWith("arn:aws:ecs:" + node.region() + ":"), node.instanceId());
            assertEquals(1, live(node.region(), node.nodeId()).size(), "its task runs in " + node.region());
            assertEquals(0, live(other, node.nodeId()).size(), "and not in " + other);
            assertEquals(host.publicIp(), node.host());
            assertEquals("http://" + node.hostLabel() + "." + host.publicIp().replace('.', '-') + ".sslip.io:" + node.port(),
                    node.url());
        }
        List<ComputeProvider.ManagedResource> audited = service.bean("compute", ComputeProvider.class).managed();
        assertTrue(audited.stream().anyMatch(r -> r.nodeId().equals(us.nodeId()) && r.region().equals(US)), audited.toString());
        assertTrue(audited.stream().anyMatch(r -> r.nodeId().equals(eu.nodeId()) && r.region().equals(EU)), audited.toString());

        Node restarted = call("direct:restart-node", eu.nodeId());
        assertEquals(NodeState.READY, restarted.state());
        List<Task> euTasks = live(EU, eu.nodeId());
        assertEquals(1, euTasks.size());
        assertNotEquals(eu.instanceId(), euTasks.get(0).taskArn(), "a new task");
        assertEquals(euTasks.get(0).taskArn(), restarted.instanceId(), "recorded, so the audit knows it");
        assertEquals(0, live(US, eu.nodeId()).size());

        // The audit covers both regions: a tagged task no node owns in eu-west-1 is an orphan there,
        // while the nodes' own tasks (the restarted one included, as recorded) are neither orphans nor drift.
        String ghost = RunningService.ecs(EU).runTask(b -> b.cluster(CLUSTER).taskDefinition(TestCloud.ECS_TASK_FAMILY)
                .launchType("EC2").startedBy("cs_test_ghost-0").tags(t -> t.key("managed-by").value("edge-hive-cloud"),
                        t -> t.key("edgehive:node-id").value("cs_test_ghost-0"))).tasks().get(0).taskArn();
        @SuppressWarnings("unchecked")
        Map<String, List<String>> findings = service.context().createProducerTemplate().requestBody("direct:reconcile", null, Map.class);
        assertTrue(findings.get("orphan").contains(ghost), findings.toString());
        for (String arn : List.of(us.instanceId(), euTasks.get(0).taskArn())) {
            assertTrue(!findings.get("orphan").contains(arn), arn + " is a node's: " + findings);
        }
        assertTrue(!findings.getOrDefault("drift", List.of()).contains(eu.nodeId()), findings.toString());
        RunningService.ecs(EU).stopTask(b -> b.cluster(CLUSTER).task(ghost));

        for (Node node : List.of(us, eu)) {
            assertEquals(NodeState.TERMINATED, call("direct:terminate-node", node.nodeId()).state());
            assertNull(service.bean("slotAllocator", SlotAllocator.class).holder(node.slot()), "slot released");
        }
        for (String region : List.of(US, EU)) {
            assertEquals(List.of(), RunningService.ecs(region).listTasks(b -> b.cluster(CLUSTER).desiredStatus(DesiredStatus.RUNNING))
                    .taskArns(), "nothing left running in " + region);
        }
    }

    private static Node readyNode(String name, String region) {
        String session = "cs_test_" + name;
        assertEquals(200, service.postSignedWebhook(StripeSigner.checkoutCompleted("evt_" + name, session, "user-" + name,
                name + "@example.com", "{\"plan\":\"pro\",\"region\":\"" + region + "\"}")).statusCode());
        Node node = service.awaitNode(session + "-0", Duration.ofSeconds(60), n -> n.state() == NodeState.READY || n.state().isFinal());
        assertEquals(NodeState.READY, node.state(), node::lastError);
        assertEquals(region, node.region());
        return node;
    }

    private static List<software.amazon.awssdk.services.ec2.model.Instance> tagged(String region, String nodeId) {
        List<software.amazon.awssdk.services.ec2.model.Instance> found = new java.util.ArrayList<>();
        RunningService.ec2(region).describeInstances(b -> b.filters(f -> f.name("tag:edgehive:node-id").values(nodeId),
                f -> f.name("instance-state-name").values("pending", "running", "stopping", "stopped")))
                .reservations().forEach(r -> found.addAll(r.instances()));
        return found;
    }

    private static List<Task> live(String region, String nodeId) {
        var ecs = RunningService.ecs(region);
        List<String> arns = ecs.listTasks(b -> b.cluster(CLUSTER).startedBy(nodeId).desiredStatus(DesiredStatus.RUNNING)).taskArns();
        return arns.isEmpty() ? List.of() : ecs.describeTasks(b -> b.cluster(CLUSTER).tasks(arns)).tasks().stream()
                .filter(t -> !"STOPPED".equals(t.lastStatus())).toList();
    }

    private static Node call(String endpoint, String nodeId) {
        ProducerTemplate template = service.context().createProducerTemplate();
        org.apache.camel.Exchange done = template.send(endpoint, exchange -> exchange.getMessage().setBody(nodeId));
        if (done.getException() != null) {
            throw new AssertionError(endpoint + " failed", done.getException());
        }
        return service.nodes().get(nodeId);
    }
}
