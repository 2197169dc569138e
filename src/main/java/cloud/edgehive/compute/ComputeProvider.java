package cloud.edgehive.compute;

import java.util.List;
import java.util.Optional;

import cloud.edgehive.store.Node;

/**
 * Where nodes run (EC2 instances, ECS tasks, local processes). Chosen by {@code compute.provider};
 * launching itself is the provider's route ({@code direct:launch-<provider>}), because each provider
 * launches through its own Camel component or client. Every operation here is idempotent.
 */
public interface ComputeProvider {

    /** The node's live instance found by its tags, so a retried launch never starts a second one. */
    Optional<String> findLaunched(Node node);

    InstanceStatus describe(Node node);

    /** Terminates the node's instance (and any other live instance tagged with its id). */
    void terminate(Node node);

    void reboot(Node node);

    void stop(Node node);

    void start(Node node);

    /** Terminates one instance by id (an orphan the reconciler found). */
    void terminateInstance(String instanceId);

    /** Every instance (not terminated) tagged as managed by this service, with its phase: one listing for the audit. */
    List<ManagedInstance> managed();

    record ManagedInstance(String id, String nodeId, InstanceStatus.Phase phase) {
    }
}
