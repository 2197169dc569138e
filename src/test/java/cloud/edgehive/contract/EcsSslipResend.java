package cloud.edgehive.contract;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import cloud.edgehive.harness.RunningService;
import cloud.edgehive.harness.TestCloud;
import cloud.edgehive.store.NodeState;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;

/**
 * The container combination: each node an ECS task on a shared host (moto, one registered container
 * instance), reached through sslip.io at its slot port (no record to publish), email through Resend.
 */
final class EcsSslipResend implements World {

    private static final String REGION = "us-east-1";
    private static final String CLUSTER = "edgehive-contract";

    private final TestCloud cloud = TestCloud.fresh("contract-ecs");
    private final ResendInbox resend = new ResendInbox();
    private AwsAnswerHold ecs;

    EcsSslipResend() {
        TestCloud.ecsHost(REGION, CLUSTER);
    }

    @Override
    public String name() {
        return "ecs+sslip+resend";
    }

    @Override
    public String profile() {
        return null;
    }

    @Override
    public Map<String, String> config() {
        Map<String, String> config = new HashMap<>(cloud.config());
        config.putAll(TestCloud.ecsConfig(CLUSTER));
        resend.configure(config);
        return config;
    }

    /**
     * Tasks started for the node (startedBy = its id, which the provider finds its task by) that ECS
     * still means to run, whatever status they have reached (moto's are pinned where they started).
     */
    @Override
    public int liveResources(String nodeId) {
        return RunningService.ecs(REGION).listTasks(b -> b.cluster(CLUSTER).startedBy(nodeId).desiredStatus(DesiredStatus.RUNNING))
                .taskArns().size();
    }

    /** sslip.io names resolve by themselves: nothing is published. */
    @Override
    public int publishedNames(String nodeId) {
        return 0;
    }

    /** RunTask reached moto (the task exists, startedBy the node) and its answer never came: the node records no task. */
    @Override
    public Map<String, NodeState> holdableCalls() {
        return Map.of("run-task", NodeState.LAUNCHING);
    }

    @Override
    public Map<String, String> holdingConfig() {
        return Map.of("aws.ecs.endpoint", ecs().url());
    }

    @Override
    public void holdAnswer(String call, String nodeId) {
        ecs().hold("RunTask", nodeId);
    }

    @Override
    public boolean answerHeld(String call, String nodeId) {
        return liveResources(nodeId) > 0;
    }

    private synchronized AwsAnswerHold ecs() {
        if (ecs == null) {
            ecs = new AwsAnswerHold();
        }
        return ecs;
    }

    @Override
    public int namesPerNode() {
        return 0;
    }

    @Override
    public List<String> deliveryIds(String to) {
        return resend.idempotencyKeysTo(to);
    }

    @Override
    public List<String> mailsTo(String to) {
        return resend.mailsTo(to);
    }

    @Override
    public void close() {
        if (ecs != null) {
            ecs.close();
        }
        resend.close();
        cloud.close();
    }
}
