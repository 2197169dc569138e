package cloud.edgehive.compute;

import java.util.List;

import cloud.edgehive.store.Node;

/**
 * Where nodes run (EC2 instances, ECS tasks, local processes), chosen by {@code compute.provider}
 * from the provider catalog. Every operation is idempotent; each implementation says in its own
 * documentation what restart, suspend and resume mean for it (a container keeps no disk).
 */
public interface ComputeProvider {

    /** The catalog name: "ec2", "ecs", "local". */
    String name();

    /** Idempotent: finds the node's live resource first (tags / startedBy / name), else launches. Returns its id. */
    String launch(Node node);

    /** Current phase and address; the address is provider-neutral (host, port). */
    InstanceStatus describe(Node node);

    /** VM: reboot; container: a new task on the same slot. */
    void restart(Node node);

    /** Whether a suspended node keeps its disk (ECS: false, a container comes back from its image). */
    boolean keepsDisk();

    /** VM: stop (disk kept); container: stop the task, the slot kept. */
    void suspend(Node node);

    /**
     * Brings a stopped node back, idempotent. VM: start; container: a new task on the same slot. Also
     * what a restart that stopped the node and then died (a crash between the two halves) is finished with.
     */
    void resume(Node node);

    /** Idempotent; everything tagged with the node id. */
    void terminate(Node node);

    /** Reconciler clean-up of an orphan. */
    void terminateResource(ManagedResource orphan);

    /** Every live resource tagged managed-by, in all regions in use: one listing for the audit. */
    List<ManagedResource> managed();

    record ManagedResource(String id, String nodeId, String region, InstanceStatus.Phase phase) {
    }
}
