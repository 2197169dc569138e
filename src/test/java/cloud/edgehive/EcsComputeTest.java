package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import cloud.edgehive.compute.ComputeProvider;
import cloud.edgehive.compute.EcsCompute;
import cloud.edgehive.compute.InstanceStatus;
import cloud.edgehive.compute.RegionalClients;
import cloud.edgehive.harness.RunningService;
import cloud.edgehive.pipeline.ProviderRejected;
import cloud.edgehive.harness.TestCloud;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeState;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.ecs.model.TaskField;

/**
 * The ECS provider against moto: a node is one task on a shared host, at its slot port, found again
 * by startedBy; restart is a new task on the same port; terminate leaves no task running.
 */
class EcsComputeTest {

    private static final String REGION = "us-east-1";
    private static final String CLUSTER = "edgehive-nodes";
    private static final int BASE_PORT = 3000;

    private static TestCloud cloud;
    private static TestCloud.EcsHost host;
    private static EcsClient ecs;
    private static EcsCompute compute;

    @BeforeAll
    static void start() {
        cloud = TestCloud.fresh("ecs-compute");
        host = TestCloud.ecsHost(REGION, CLUSTER);
        ecs = RunningService.ecs(REGION);
        compute = new EcsCompute(new RegionalClients<>(RunningService::ecs, REGION, Set.of(REGION)),
                new RegionalClients<>(RunningService::ec2, REGION, Set.of(REGION)),
                region -> new EcsCompute.Placement(CLUSTER, TestCloud.ECS_TASK_FAMILY, TestCloud.ECS_CONTAINER),
                slot -> BASE_PORT + slot);
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    @Test
    void launchRunsOneTaggedTaskOnTheSlotPortAndFindsItAgain() {
        Node node = node("node-launch", 5, null);
        String arn = compute.launch(node);

        Task task = task(arn);
        assertEquals("EC2", task.launchTypeAsString());
        assertEquals("node-launch", task.startedBy());
        assertEquals(host.containerInstanceArn(), task.containerInstanceArn());
        Map<String, String> tags = new java.util.HashMap<>();
        task.tags().forEach(t -> tags.put(t.key(), t.value()));
        assertEquals(Map.of("edgehive:node-id", "node-launch", "edgehive:user-id", "user-1", "edgehive:plan", "pro",
                "managed-by", "edge-hive-cloud"), tags);
        var definition = ecs.describeTaskDefinition(b -> b.taskDefinition(task.taskDefinitionArn())).taskDefinition();
        assertEquals(TestCloud.ECS_TASK_FAMILY + "-r1-p3005", definition.family());
        assertEquals(3005, definition.containerDefinitions().get(0).portMappings().get(0).hostPort());
        assertEquals(8080, definition.containerDefinitions().get(0).portMappings().get(0).containerPort());

        // A retried launch (crash, duplicate event, replica) finds the running task instead of starting another.
        assertEquals(arn, compute.launch(node));
        assertEquals(arn, compute.launch(node("node-launch", 5, arn)));
        assertEquals(1, liveTasks("node-launch").size());

        InstanceStatus status = compute.describe(node("node-launch", 5, arn));
        assertEquals(InstanceStatus.Phase.RUNNING, status.phase());
        assertEquals(arn, status.id());
        assertNotNull(host.publicIp());
        assertEquals(host.publicIp(), status.host());
        assertEquals(3005, status.port());

        compute.terminate(node("node-launch", 5, arn));
        assertTrue(liveTasks("node-launch").isEmpty());
    }

    @Test
    void aTakenHostPortIsAFailureNotASilentSuccess() {
        String first = compute.launch(node("node-port-a", 7, null));
        // moto answers tasks=[] and failures=[] when the host port is taken; AWS lists a RESOURCE:PORTS failure.
        ProviderRejected failed = assertThrows(ProviderRejected.class, () -> compute.launch(node("node-port-b", 7, null)));
        assertTrue(failed.getMessage().contains("No capacity"), failed.getMessage());
        assertTrue(liveTasks("node-port-b").isEmpty());
        compute.terminate(node("node-port-a", 7, first));
    }

    @Test
    void restartIsANewTaskOnTheSameSlotReusingItsTaskDefinition() {
        Node node = node("node-restart", 9, null);
        String before = compute.launch(node);
        int definitions = ecs.listTaskDefinitions(b -> b.familyPrefix(TestCloud.ECS_TASK_FAMILY + "-r1-p3009")).taskDefinitionArns().size();

        compute.restart(node("node-restart", 9, before));

        List<Task> live = liveTasks("node-restart");
        assertEquals(1, live.size());
        assertNotEquals(before, live.get(0).taskArn());
        assertEquals("STOPPED", task(before).lastStatus());
        assertEquals(definitions, ecs.listTaskDefinitions(b -> b.familyPrefix(TestCloud.ECS_TASK_FAMILY + "-r1-p3009"))
                .taskDefinitionArns().size(), "the port's task definition is reused");
        InstanceStatus status = compute.describe(node("node-restart", 9, before));
        assertEquals(InstanceStatus.Phase.RUNNING, status.phase());
        assertEquals(live.get(0).taskArn(), status.id());
        compute.terminate(node("node-restart", 9, before));
    }

    @Test
    void terminateStopsEveryTaskOfTheNodeAndIsIdempotent() {
        String arn = compute.launch(node("node-gone", 11, null));
        assertTrue(compute.managed().stream().anyMatch(t -> t.id().equals(arn) && t.nodeId().equals("node-gone")
                && t.region().equals(REGION) && t.phase() == InstanceStatus.Phase.RUNNING));

        compute.terminate(node("node-gone", 11, arn));
        compute.terminate(node("node-gone", 11, arn));

        assertTrue(liveTasks("node-gone").isEmpty());
        assertEquals(InstanceStatus.Phase.GONE, compute.describe(node("node-gone", 11, arn)).phase());
        assertEquals(InstanceStatus.Phase.GONE, compute.describe(node("node-gone", 11, null)).phase());
        assertFalse(compute.managed().stream().anyMatch(t -> t.id().equals(arn)));
        // The slot is free again: another node can run on its port.
        String next = compute.launch(node("node-after", 11, null));
        compute.terminate(node("node-after", 11, next));
    }

    @Test
    void anOrphanTaskIsStoppedByTheReconcilersCall() {
        String arn = compute.launch(node("node-orphan", 13, null));
        ComputeProvider.ManagedResource orphan = compute.managed().stream().filter(t -> t.id().equals(arn)).findFirst().orElseThrow();
        compute.terminateResource(orphan);
        assertTrue(liveTasks("node-orphan").isEmpty());
    }

    @Test
    void suspendStopsTheTaskAndResumeRunsANewOneOnTheSameSlot() {
        assertFalse(compute.keepsDisk(), "a container comes back from its image");
        String before = compute.launch(node("node-pause", 15, null));

        compute.suspend(node("node-pause", 15, before));
        compute.suspend(node("node-pause", 15, before));
        assertTrue(liveTasks("node-pause").isEmpty(), "no task runs while suspended");
        assertEquals(InstanceStatus.Phase.GONE, compute.describe(node("node-pause", 15, before)).phase(), "a stopped task never runs again");

        compute.resume(node("node-pause", 15, before));
        compute.resume(node("node-pause", 15, before));
        List<Task> live = liveTasks("node-pause");
        assertEquals(1, live.size(), "resume is idempotent: one new task");
        assertNotEquals(before, live.get(0).taskArn());
        InstanceStatus status = compute.describe(node("node-pause", 15, before));
        assertEquals(InstanceStatus.Phase.RUNNING, status.phase());
        assertEquals(compute.port(node("node-pause", 15, before)), status.port(), "on the same slot's port");
        compute.terminate(node("node-pause", 15, before));
    }

    private static Task task(String arn) {
        return ecs.describeTasks(b -> b.cluster(CLUSTER).tasks(arn).include(TaskField.TAGS)).tasks().get(0);
    }

    private static List<Task> liveTasks(String nodeId) {
        List<String> arns = ecs.listTasks(b -> b.cluster(CLUSTER).startedBy(nodeId).desiredStatus(DesiredStatus.RUNNING)).taskArns();
        return arns.isEmpty() ? List.of() : ecs.describeTasks(b -> b.cluster(CLUSTER).tasks(arns)).tasks().stream()
                .filter(t -> !"STOPPED".equals(t.lastStatus())).toList();
    }

    static Node node(String id, int slot, String taskArn) {
        return new Node(id, "user-1", "buyer@test.example", "pro", REGION, "t4g.small", 10, "cs_1", null, null,
                NodeState.LAUNCHING, 1, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", "default", slot, taskArn, null,
                null, null, null, null, null, null, null, 0, 0, null, List.of(), List.of(), Map.of(), Map.of(), null, null);
    }
}
