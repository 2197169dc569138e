package cloud.edgehive.store;

import java.util.EnumSet;
import java.util.Set;

/** The node's life, in the order provisioning walks it. See the state machine in the README. */
public enum NodeState {
    REQUESTED, ALLOCATED, LAUNCHING, RUNNING, ACCESS_READY, READY, SUSPENDED, TERMINATING, TERMINATED, FAILED;

    /** States the provisioning pipeline still has to move forward. */
    public static final Set<NodeState> PROVISIONING = EnumSet.of(REQUESTED, ALLOCATED, LAUNCHING, RUNNING, ACCESS_READY);

    public boolean isFinal() {
        return this == TERMINATED || this == FAILED;
    }

    public boolean isProvisioning() {
        return PROVISIONING.contains(this);
    }
}
