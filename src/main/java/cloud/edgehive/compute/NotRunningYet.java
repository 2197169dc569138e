package cloud.edgehive.compute;

/** The instance exists but is not running yet: retried with backoff until the await deadline. */
public class NotRunningYet extends RuntimeException {
    public NotRunningYet(String nodeId, InstanceStatus.Phase phase) {
        super("Node " + nodeId + " is " + phase + ", waiting for RUNNING", null, false, false);
    }
}
