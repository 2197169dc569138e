package cloud.edgehive.compute;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;
import java.util.function.IntUnaryOperator;

import cloud.edgehive.pipeline.ProviderRejected;
import cloud.edgehive.store.Node;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ClientException;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.ContainerInstance;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.LaunchType;
import software.amazon.awssdk.services.ecs.model.NetworkMode;
import software.amazon.awssdk.services.ecs.model.PortMapping;
import software.amazon.awssdk.services.ecs.model.RunTaskResponse;
import software.amazon.awssdk.services.ecs.model.Tag;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;
import software.amazon.awssdk.services.ecs.model.TaskField;
import software.amazon.awssdk.services.ecs.model.TransportProtocol;

/**
 * Nodes as containers: one ECS task (EC2 launch type) per node on a shared host, reached on the
 * host's address at the node's slot port ({@code http://<node>.<ip-with-dashes>.sslip.io:<port>}).
 *
 * <p>The slot port becomes the task's host port. RunTask's container overrides cannot change port
 * mappings, so each port gets its own task-definition family, {@code <family>-r<revision>-p<port>}: a
 * copy of the configured definition whose container maps that host port, registered the first time
 * the port is used and reused after (found by name, so every replica converges on the same one).
 * A new revision of the configured definition gets new copies.
 *
 * <p>The task's {@code startedBy} is the node id: a repeated launch (crash, duplicate event, replica)
 * finds the node's running task before starting another (ECS ignores clientToken on some endpoints,
 * as moto does). A container keeps no disk: a restart is a new task on the same slot; suspend stops
 * the node's task and keeps its slot (its port stays reserved, its URL stays the same), and resume
 * runs a new task there, starting from the image again — whatever the old container wrote is gone.
 */
public class EcsCompute implements ComputeProvider {

    public static final String NAME = "ecs";

    /** Where a region's nodes run: cluster, the task definition to copy, the container that serves. */
    public record Placement(String cluster, String taskDefinition, String containerName) {
    }

    private static final int DESCRIBE_BATCH = 100;

    private final RegionalClients<EcsClient> ecs;
    private final RegionalClients<Ec2Client> ec2;
    private final Function<String, Placement> placements;
    private final IntUnaryOperator portOfSlot;
    private final ConcurrentMap<String, String> definitions = new ConcurrentHashMap<>();

    public EcsCompute(RegionalClients<EcsClient> ecs, RegionalClients<Ec2Client> ec2, Function<String, Placement> placements,
                      IntUnaryOperator portOfSlot) {
        this.ecs = ecs;
        this.ec2 = ec2;
        this.placements = placements;
        this.portOfSlot = portOfSlot;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Idempotent: the node's running task if it has one, else a new task on its slot port. Returns the task ARN. */
    @Override
    public String launch(Node node) {
        Optional<Task> running = live(node).stream().findFirst();
        if (running.isPresent()) {
            return running.get().taskArn();
        }
        String region = ecs.regionOf(node.region());
        Placement placement = placements.apply(region);
        int port = port(node);
        String definition = definitionFor(region, placement, port);
        List<Tag> tags = List.of(
                tag(Ec2Compute.TAG_NODE, node.nodeId()),
                tag(Ec2Compute.TAG_USER, node.userId()),
                tag(Ec2Compute.TAG_PLAN, node.plan()),
                tag(Ec2Compute.TAG_MANAGED, Ec2Compute.MANAGED_BY));
        RunTaskResponse answer = ecs.in(region).runTask(b -> b
                .cluster(placement.cluster())
                .taskDefinition(definition)
                .launchType(LaunchType.EC2)
                .count(1)
                .startedBy(node.nodeId())
                .clientToken(clientToken(node))
                .tags(tags)
                .overrides(o -> o.containerOverrides(c -> c.name(placement.containerName()).environment(
                        env("EDGE_HIVE_NODE_ID", node.nodeId()),
                        env("EDGE_HIVE_NODE_NAME", node.hostLabel()),
                        env("EDGE_HIVE_PORT", String.valueOf(port))))));
        if (answer.tasks().isEmpty()) {
            // No host could take it (port taken, no memory or CPU left, no container instance): ECS
            // says so with failures, or (moto, a taken port) with nothing at all. Either way no task.
            throw new ProviderRejected(NAME, "NoCapacity", "No capacity for node " + node.nodeId() + " on port " + port + " in cluster "
                    + placement.cluster() + " (" + region + ")" + (answer.failures().isEmpty() ? ""
                    : ": " + answer.failures().stream().map(f -> f.reason() + (f.detail() == null ? "" : " " + f.detail())).toList()));
        }
        return answer.tasks().get(0).taskArn();
    }

    /**
     * The node's task: its running one (found by startedBy, so a restarted node's new task is seen),
     * else the recorded one (to tell STOPPED from not yet started). Address: the host's.
     */
    @Override
    public InstanceStatus describe(Node node) {
        String region = ecs.regionOf(node.region());
        Task task = live(node).stream().findFirst().orElseGet(() -> recorded(node));
        if (task == null) {
            return InstanceStatus.gone(node.instanceId());
        }
        InstanceStatus.Phase phase = phase(task);
        String host = phase == InstanceStatus.Phase.RUNNING ? hostAddress(region, task) : null;
        return new InstanceStatus(task.taskArn(), phase, host, hostPort(task, node));
    }

    /** A new task on the same slot: the old one is stopped first, since both would want its host port. */
    @Override
    public void restart(Node node) {
        stopAll(node, "restart");
        launch(node);
    }

    /** A container keeps no disk: a suspended node comes back from its image. */
    @Override
    public boolean keepsDisk() {
        return false;
    }

    /** Stops the node's task; the slot (its host port) stays the node's. Idempotent. */
    @Override
    public void suspend(Node node) {
        stopAll(node, "suspended");
    }

    /** A new task on the node's slot, unless one already runs (idempotent, as launch). */
    @Override
    public void resume(Node node) {
        launch(node);
    }

    /** Stops every live task started for the node (the slot is released by the pipeline). Idempotent. */
    @Override
    public void terminate(Node node) {
        stopAll(node, "terminated");
    }

    /** Stops one task the reconciler found without a live node. */
    @Override
    public void terminateResource(ManagedResource orphan) {
        ecs.in(orphan.region()).stopTask(b -> b.cluster(placements.apply(ecs.regionOf(orphan.region())).cluster())
                .task(orphan.id()).reason("edge-hive-cloud: orphan"));
    }

    /** Every running task tagged managed-by, in every region in use. */
    @Override
    public List<ManagedResource> managed() {
        List<ManagedResource> found = new ArrayList<>();
        for (String region : ecs.inUse()) {
            String cluster = placements.apply(region).cluster();
            EcsClient client = ecs.in(region);
            List<String> arns = new ArrayList<>();
            client.listTasksPaginator(b -> b.cluster(cluster).desiredStatus(DesiredStatus.RUNNING)).taskArns().forEach(arns::add);
            for (Task task : tasks(client, cluster, arns)) {
                Map<String, String> tags = tags(task);
                if (Ec2Compute.MANAGED_BY.equals(tags.get(Ec2Compute.TAG_MANAGED))) {
                    found.add(new ManagedResource(task.taskArn(), tags.get(Ec2Compute.TAG_NODE), region, phase(task)));
                }
            }
        }
        return found;
    }

    /** The port users reach the node on: its slot's. */
    public int port(Node node) {
        if (node.slot() == null) {
            throw new ComputeFailed("Node " + node.nodeId() + " has no slot, so no host port");
        }
        return portOfSlot.applyAsInt(node.slot());
    }

    private void stopAll(Node node, String reason) {
        String region = ecs.regionOf(node.region());
        String cluster = placements.apply(region).cluster();
        List<String> arns = new ArrayList<>(live(node).stream().map(Task::taskArn).toList());
        Task recorded = recorded(node);
        if (recorded != null && !arns.contains(recorded.taskArn()) && !"STOPPED".equals(recorded.lastStatus())
                && !"STOPPED".equals(recorded.desiredStatus())) {
            arns.add(recorded.taskArn());
        }
        // Only tasks ECS listed are stopped: StopTask of an unknown task is an error (a bare 500 on moto).
        arns.forEach(arn -> ecs.in(region).stopTask(b -> b.cluster(cluster).task(arn).reason("edge-hive-cloud: " + reason)));
    }

    /** The node's tasks ECS still wants running, newest first. */
    private List<Task> live(Node node) {
        String region = ecs.regionOf(node.region());
        String cluster = placements.apply(region).cluster();
        EcsClient client = ecs.in(region);
        List<String> arns = new ArrayList<>();
        client.listTasksPaginator(b -> b.cluster(cluster).startedBy(node.nodeId()).desiredStatus(DesiredStatus.RUNNING))
                .taskArns().forEach(arns::add);
        return tasks(client, cluster, arns).stream()
                .filter(t -> !"STOPPED".equals(t.lastStatus()))
                .sorted(Comparator.comparing((Task t) -> t.createdAt() == null ? java.time.Instant.EPOCH : t.createdAt()).reversed())
                .toList();
    }

    private Task recorded(Node node) {
        if (!node.hasInstance()) {
            return null;
        }
        String region = ecs.regionOf(node.region());
        String cluster = placements.apply(region).cluster();
        List<Task> found = tasks(ecs.in(region), cluster, List.of(node.instanceId()));
        return found.isEmpty() ? null : found.get(0);
    }

    private static List<Task> tasks(EcsClient client, String cluster, List<String> arns) {
        List<Task> tasks = new ArrayList<>();
        for (int from = 0; from < arns.size(); from += DESCRIBE_BATCH) {
            List<String> batch = arns.subList(from, Math.min(arns.size(), from + DESCRIBE_BATCH));
            tasks.addAll(client.describeTasks(b -> b.cluster(cluster).tasks(batch).include(TaskField.TAGS)).tasks());
        }
        return tasks;
    }

    /** The host port: as ECS bound it when it says (moto does not), else the slot's, which the task definition maps. */
    private int hostPort(Task task, Node node) {
        return task.containers().stream().flatMap(c -> c.networkBindings().stream())
                .map(b -> b.hostPort()).filter(p -> p != null && p > 0).findFirst()
                .orElseGet(() -> node.slot() == null ? 0 : port(node));
    }

    /** The host's public address (else private), from the task's container instance and its EC2 instance. */
    private String hostAddress(String region, Task task) {
        if (task.containerInstanceArn() == null) {
            return null;
        }
        List<ContainerInstance> hosts = ecs.in(region).describeContainerInstances(b -> b.cluster(clusterOf(task))
                .containerInstances(task.containerInstanceArn())).containerInstances();
        if (hosts.isEmpty() || hosts.get(0).ec2InstanceId() == null) {
            return null;
        }
        String instanceId = hosts.get(0).ec2InstanceId();
        List<Instance> instances = new ArrayList<>();
        ec2.in(region).describeInstances(b -> b.instanceIds(instanceId)).reservations().forEach(r -> instances.addAll(r.instances()));
        if (instances.isEmpty()) {
            return null;
        }
        String publicIp = instances.get(0).publicIpAddress();
        return publicIp != null && !publicIp.isEmpty() ? publicIp : instances.get(0).privateIpAddress();
    }

    /** The task definition that maps {@code port} on the host: found by family name, else registered. */
    private String definitionFor(String region, Placement placement, int port) {
        return definitions.computeIfAbsent(region + "/" + placement.taskDefinition() + "/" + port, key -> {
            EcsClient client = ecs.in(region);
            TaskDefinition base = client.describeTaskDefinition(b -> b.taskDefinition(placement.taskDefinition())).taskDefinition();
            String family = base.family() + "-r" + base.revision() + "-p" + port;
            try {
                return client.describeTaskDefinition(b -> b.taskDefinition(family)).taskDefinition().taskDefinitionArn();
            } catch (ClientException notYet) {
                // First node on this port with this revision.
            }
            List<ContainerDefinition> containers = new ArrayList<>();
            boolean mapped = false;
            for (ContainerDefinition container : base.containerDefinitions()) {
                if (container.name().equals(placement.containerName())) {
                    containers.add(withHostPort(container, base.networkMode(), port));
                    mapped = true;
                } else {
                    containers.add(container);
                }
            }
            if (!mapped) {
                throw new ComputeFailed("Task definition " + base.taskDefinitionArn() + " has no container named "
                        + placement.containerName() + " (ecs.container-name)");
            }
            return client.registerTaskDefinition(b -> b
                    .family(family)
                    .containerDefinitions(containers)
                    .networkMode(base.networkMode())
                    .taskRoleArn(base.taskRoleArn())
                    .executionRoleArn(base.executionRoleArn())
                    .volumes(base.volumes())
                    .placementConstraints(base.placementConstraints())
                    .requiresCompatibilitiesWithStrings(base.requiresCompatibilitiesAsStrings())
                    .cpu(base.cpu())
                    .memory(base.memory()))
                    .taskDefinition().taskDefinitionArn();
        });
    }

    /** The container with one port mapping: the slot port on the host to the port the container serves. */
    private static ContainerDefinition withHostPort(ContainerDefinition container, NetworkMode mode, int port) {
        if (mode == NetworkMode.AWSVPC) {
            throw new ComputeFailed("Task definitions in awsvpc mode cannot map a host port; use bridge");
        }
        Integer served = container.portMappings().isEmpty() ? null : container.portMappings().get(0).containerPort();
        if (mode == NetworkMode.HOST || served == null) {
            // Host networking: the container listens on the host port itself (EDGE_HIVE_PORT says which).
            served = port;
        }
        int containerPort = served;
        return container.toBuilder()
                .portMappings(PortMapping.builder().containerPort(containerPort).hostPort(port).protocol(TransportProtocol.TCP).build())
                .build();
    }

    /** ECS takes at most 64 characters; a Checkout session id alone is longer, so the node id's SHA-256. */
    static String clientToken(Node node) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(node.nodeId().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String clusterOf(Task task) {
        String arn = task.clusterArn();
        return arn == null ? null : arn.substring(arn.lastIndexOf('/') + 1);
    }

    private static InstanceStatus.Phase phase(Task task) {
        if ("STOPPED".equals(task.desiredStatus()) && !"STOPPED".equals(task.lastStatus())) {
            return InstanceStatus.Phase.STOPPING;
        }
        String last = task.lastStatus() == null ? "" : task.lastStatus();
        return switch (last) {
            case "PROVISIONING", "PENDING", "ACTIVATING" -> InstanceStatus.Phase.PENDING;
            case "RUNNING" -> InstanceStatus.Phase.RUNNING;
            case "DEACTIVATING", "STOPPING", "DEPROVISIONING" -> InstanceStatus.Phase.STOPPING;
            // A stopped task never runs again: the node's container is gone.
            default -> InstanceStatus.Phase.GONE;
        };
    }

    private static Map<String, String> tags(Task task) {
        Map<String, String> tags = new java.util.HashMap<>();
        task.tags().forEach(t -> tags.put(t.key(), t.value()));
        return tags;
    }

    private static Tag tag(String key, String value) {
        return Tag.builder().key(key).value(value == null ? "" : value).build();
    }

    private static KeyValuePair env(String name, String value) {
        return KeyValuePair.builder().name(name).value(value).build();
    }
}
