package cloud.edgehive.compute;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;

import cloud.edgehive.store.Node;

import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.EbsBlockDevice;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.HttpTokensState;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceMetadataEndpointState;
import software.amazon.awssdk.services.ec2.model.InstanceMetadataOptionsRequest;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.RunInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ec2.model.VolumeType;

/**
 * Nodes as EC2 instances. The launch request carries everything the node needs (user-data, tags,
 * IMDSv2, an encrypted gp3 root volume) and the node id as ClientToken; because some endpoints
 * ignore ClientToken, {@link #launch} looks the node up by tag before any launch. Restart is a
 * reboot; suspend stops the instance and keeps its disk; resume starts it again (usually with a new
 * public IP, which the lifecycle republishes). Every call goes to the region the node was bought for,
 * with that region's launch settings (image, subnet, security groups, key pair).
 */
public class Ec2Compute implements ComputeProvider, cloud.edgehive.ops.NeedsFiles {

    public static final String TAG_NODE = "edgehive:node-id";
    public static final String TAG_USER = "edgehive:user-id";
    public static final String TAG_PLAN = "edgehive:plan";
    public static final String TAG_MANAGED = "managed-by";
    public static final String MANAGED_BY = "edge-hive-cloud";

    private static final List<String> LIVE = List.of("pending", "running", "stopping", "stopped");

    /** Launch settings from {@code ec2.*} configuration. */
    public record Launch(String amiId, String amiNamePattern, String amiOwner, String subnetId,
                         List<String> securityGroupIds, String keyName, String instanceProfile) {
    }

    private final RegionalClients<Ec2Client> clients;
    private final UserData userData;
    private final Function<String, Launch> launches;
    private final ConcurrentMap<String, Image> images = new ConcurrentHashMap<>();

    /** @param launches each region's launch settings ({@code ec2.<region>.*} over {@code ec2.*}) */
    public Ec2Compute(RegionalClients<Ec2Client> clients, UserData userData, Function<String, Launch> launches) {
        this.clients = clients;
        this.userData = userData;
        this.launches = launches;
    }

    @Override
    public String name() {
        return "ec2";
    }

    @Override
    public List<java.nio.file.Path> readable() {
        return List.of(userData.templateFile());
    }

    @Override
    public String launch(Node node) {
        Optional<String> launched = tagged(node.region(), node.nodeId()).stream()
                .sorted(Comparator.comparing(Instance::launchTime))
                .map(Instance::instanceId)
                .findFirst();
        if (launched.isPresent()) {
            return launched.get();
        }
        RunInstancesResponse response = ec2(node.region()).runInstances(runRequest(node));
        return response.instances().get(0).instanceId();
    }

    /** Everything the node needs at first boot, with the node id as ClientToken. */
    RunInstancesRequest runRequest(Node node) {
        String region = clients.regionOf(node.region());
        Launch launch = launches.apply(region);
        Image ami = image(region, launch);
        List<Tag> tags = List.of(
                tag(TAG_NODE, node.nodeId()),
                tag(TAG_USER, node.userId()),
                tag(TAG_PLAN, node.plan()),
                tag(TAG_MANAGED, MANAGED_BY),
                tag("Name", node.hostLabel()));
        RunInstancesRequest.Builder request = RunInstancesRequest.builder()
                .imageId(ami.imageId())
                .instanceType(node.instanceType())
                .minCount(1)
                .maxCount(1)
                .clientToken(node.nodeId())
                .userData(Base64.getEncoder().encodeToString(userData.render(node).getBytes(StandardCharsets.UTF_8)))
                .metadataOptions(InstanceMetadataOptionsRequest.builder()
                        .httpTokens(HttpTokensState.REQUIRED)
                        .httpEndpoint(InstanceMetadataEndpointState.ENABLED)
                        .httpPutResponseHopLimit(1)
                        .build())
                .blockDeviceMappings(BlockDeviceMapping.builder()
                        .deviceName(ami.rootDeviceName() == null ? "/dev/xvda" : ami.rootDeviceName())
                        .ebs(EbsBlockDevice.builder()
                                .volumeSize(node.storageGb())
                                .volumeType(VolumeType.GP3)
                                .encrypted(true)
                                .deleteOnTermination(true)
                                .build())
                        .build())
                .tagSpecifications(
                        TagSpecification.builder().resourceType(ResourceType.INSTANCE).tags(tags).build(),
                        TagSpecification.builder().resourceType(ResourceType.VOLUME).tags(tags).build());
        if (launch.subnetId() != null) {
            request.subnetId(launch.subnetId());
        }
        if (!launch.securityGroupIds().isEmpty()) {
            request.securityGroupIds(launch.securityGroupIds());
        }
        if (launch.keyName() != null) {
            request.keyName(launch.keyName());
        }
        if (launch.instanceProfile() != null) {
            request.iamInstanceProfile(p -> p.name(launch.instanceProfile()));
        }
        return request.build();
    }

    @Override
    public InstanceStatus describe(Node node) {
        if (!node.hasInstance()) {
            return InstanceStatus.gone(null);
        }
        List<Instance> found = instances(node.region(), DescribeInstancesRequest.builder().filters(
                Filter.builder().name("instance-id").values(node.instanceId()).build()).build());
        if (found.isEmpty()) {
            return InstanceStatus.gone(node.instanceId());
        }
        Instance instance = found.get(0);
        String host = instance.publicIpAddress() != null && !instance.publicIpAddress().isEmpty()
                ? instance.publicIpAddress() : instance.privateIpAddress();
        // The node listens on its own ports (the installer's defaults): no port to record.
        return new InstanceStatus(instance.instanceId(), phase(instance.state().name()), host, 0);
    }

    @Override
    public void terminate(Node node) {
        List<String> ids = new ArrayList<>();
        if (node.hasInstance()) {
            ids.add(node.instanceId());
        }
        tagged(node.region(), node.nodeId()).forEach(i -> {
            if (!ids.contains(i.instanceId())) {
                ids.add(i.instanceId());
            }
        });
        if (!ids.isEmpty()) {
            ec2(node.region()).terminateInstances(b -> b.instanceIds(ids));
        }
    }

    @Override
    public void terminateResource(ManagedResource orphan) {
        ec2(orphan.region()).terminateInstances(b -> b.instanceIds(orphan.id()));
    }

    @Override
    public void restart(Node node) {
        ec2(node.region()).rebootInstances(b -> b.instanceIds(node.instanceId()));
    }

    @Override
    public boolean keepsDisk() {
        return true;
    }

    @Override
    public void suspend(Node node) {
        ec2(node.region()).stopInstances(b -> b.instanceIds(node.instanceId()));
    }

    @Override
    public void resume(Node node) {
        ec2(node.region()).startInstances(b -> b.instanceIds(node.instanceId()));
    }

    @Override
    public List<ManagedResource> managed() {
        List<ManagedResource> found = new ArrayList<>();
        for (String region : clients.inUse()) {
            instances(region, DescribeInstancesRequest.builder().filters(
                            Filter.builder().name("tag:" + TAG_MANAGED).values(MANAGED_BY).build(),
                            Filter.builder().name("instance-state-name").values(LIVE).build()).build())
                    .forEach(i -> found.add(new ManagedResource(i.instanceId(), i.tags().stream()
                            .filter(t -> TAG_NODE.equals(t.key())).map(Tag::value).findFirst().orElse(null), region,
                            phase(i.state().name()))));
        }
        return found;
    }

    private Ec2Client ec2(String region) {
        return clients.in(region);
    }

    private List<Instance> tagged(String region, String nodeId) {
        return instances(region, DescribeInstancesRequest.builder().filters(
                Filter.builder().name("tag:" + TAG_NODE).values(nodeId).build(),
                Filter.builder().name("instance-state-name").values(LIVE).build()).build());
    }

    private List<Instance> instances(String region, DescribeInstancesRequest request) {
        List<Instance> all = new ArrayList<>();
        ec2(region).describeInstancesPaginator(request).reservations().forEach(r -> all.addAll(r.instances()));
        return all;
    }

    /** The region's configured AMI, or the newest image there matching the name pattern; looked up once per region. */
    private Image image(String region, Launch launch) {
        Image current = images.get(region);
        if (current != null) {
            return current;
        }
        List<Image> found;
        if (launch.amiId() != null) {
            found = ec2(region).describeImages(b -> b.imageIds(launch.amiId())).images();
        } else {
            found = ec2(region).describeImages(b -> b.owners(launch.amiOwner()).filters(
                    Filter.builder().name("name").values(launch.amiNamePattern()).build(),
                    Filter.builder().name("architecture").values("arm64").build(),
                    Filter.builder().name("state").values("available").build())).images();
        }
        current = found.stream()
                .max(Comparator.comparing(i -> i.creationDate() == null ? "" : i.creationDate()))
                .orElseThrow(() -> new ComputeFailed("No AMI found for "
                        + (launch.amiId() != null ? launch.amiId() : launch.amiNamePattern())
                        + " in " + region + "; set ec2." + region + ".ami-id"));
        images.put(region, current);
        return current;
    }

    private static InstanceStatus.Phase phase(InstanceStateName state) {
        return switch (state) {
            case PENDING -> InstanceStatus.Phase.PENDING;
            case RUNNING -> InstanceStatus.Phase.RUNNING;
            case STOPPING -> InstanceStatus.Phase.STOPPING;
            case STOPPED -> InstanceStatus.Phase.STOPPED;
            default -> InstanceStatus.Phase.GONE;
        };
    }

    private static Tag tag(String key, String value) {
        return Tag.builder().key(key).value(value == null ? "" : value).build();
    }
}
