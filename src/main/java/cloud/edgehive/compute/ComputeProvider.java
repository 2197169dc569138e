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

    /** Whether {@link #suspend} keeps the node's disk (ECS: false, a container keeps none). */
    boolean canSuspend();

    /** VM: stop (disk kept). */
    void suspend(Node node);

    /** VM: start. */
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
