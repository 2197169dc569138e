package cloud.edgehive.contract;

import java.util.List;
import java.util.Map;

import cloud.edgehive.harness.RunningService;
import cloud.edgehive.store.NodeState;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * One shipped combination of providers (compute + access + mail) with the emulated world it runs
 * against: how to configure the service for it, and how to look, from outside the service, at what
 * exists for a node (live compute resources, published names, emails received). The same world runs
 * the service in the test JVM ({@link ProviderContractTest}) or as processes ({@link ProviderCrashContractTest}).
 */
interface World extends AutoCloseable {

    /** e.g. {@code ec2+route53+smtp}. */
    String name();

    /** The profile overlay the service starts with (null: application.properties alone). */
    String profile();

    /** The service's settings in this world. */
    Map<String, String> config();

    /** Live compute resources (instances, tasks, processes) tagged with the node's id. */
    int liveResources(String nodeId);

    /** Names published for the node (DNS records, tunnels); 0 for providers that publish none. */
    int publishedNames(String nodeId);

    /** What {@link #publishedNames} counts for a READY node (e.g. a tunnel and its record: 2). */
    int namesPerNode();

    /**
     * Each kind of object the access provider created for the node, with how many were ever created
     * (deleted ones too), where the world can see that; a resumed step that made a second one shows here.
     */
    default Map<String, Integer> namesEverCreated(String nodeId) {
        return Map.of();
    }

    /** The bodies (text) of the emails received by {@code to}. */
    List<String> mailsTo(String to);

    /**
     * Every delivery to {@code to}, as the id it carried: SMTP's Message-ID, Resend's Idempotency-Key,
     * the outbox file's Message-ID. A resend after a crash shows as the same id again.
     */
    List<String> deliveryIds(String to);

    /** The DynamoDB the service's tables live in, as a test reads it from outside the service. */
    default DynamoDbClient store() {
        return RunningService.dynamo();
    }

    /**
     * Provider calls whose answer this world can hold back after doing the call (e.g. {@code
     * tunnel-create}), each with the state the node records meanwhile: the service is killed having
     * made the call, never having seen its answer. In call order.
     */
    default Map<String, NodeState> holdableCalls() {
        return Map.of();
    }

    /** What the service that makes held calls must be started with (e.g. an endpoint through a holding proxy). */
    default Map<String, String> holdingConfig() {
        return Map.of();
    }

    /** The node's next {@code call} is done and then not answered (until {@link #releaseHeldAnswers()}, or ever). */
    default void holdAnswer(String call, String nodeId) {
        throw new UnsupportedOperationException(name() + " holds no answers");
    }

    /** Whether the node's {@code call} has had its effect and its answer is being held. */
    default boolean answerHeld(String call, String nodeId) {
        return false;
    }

    default void releaseHeldAnswers() {
    }

    @Override
    void close();
}
