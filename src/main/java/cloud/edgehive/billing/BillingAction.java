package cloud.edgehive.billing;

import java.util.Map;

/**
 * One thing a node needs because of its subscription's standing: a lifecycle operation (or none),
 * the email that goes with it (sent once per {@code mailKey}), and the billing standing to record
 * on the node with a history note once the operation has landed.
 */
public record BillingAction(
        String nodeId,
        Operation operation,
        String reason,
        String mailKind,
        String mailKey,
        Map<String, String> mailValues,
        Map<String, String> billing,
        String note) {

    public enum Operation {
        /** Nothing to do to the instance; record, email, or wait for the node to settle. */
        NONE,
        SUSPEND,
        RESUME,
        TERMINATE
    }
}
