package cloud.edgehive.store;

import java.util.EnumSet;
import java.util.Set;

/** The node's life, in the order provisioning walks it. See the state machine in the README. */
public enum NodeState {
    REQUESTED, ALLOCATED, LAUNCHING, RUNNING, ACCESS_READY, READY, RESTARTING, SUSPENDING, SUSPENDED, RESUMING, TERMINATING, TERMINATED, FAILED;

    /** States the provisioning pipeline still has to move forward. */
    public static final Set<NodeState> PROVISIONING = EnumSet.of(REQUESTED, ALLOCATED, LAUNCHING, RUNNING, ACCESS_READY);

    /** States a lifecycle operation is in the middle of; the reconciler resumes them like provisioning. */
    public static final Set<NodeState> IN_TRANSITION = EnumSet.of(RESTARTING, SUSPENDING, RESUMING, TERMINATING);

    public boolean isFinal() {
        return this == TERMINATED || this == FAILED;
    }

    public boolean isProvisioning() {
        return PROVISIONING.contains(this);
    }

    /** Whether work is still owed on the node (provisioning or a lifecycle operation). */
    public boolean isUnsettled() {
        return PROVISIONING.contains(this) || IN_TRANSITION.contains(this);
    }
}
