package cloud.edgehive.api;

import java.util.List;
import java.util.Map;

import cloud.edgehive.hooks.LambdaHooks;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeState;

/**
 * What a node's owner is told when its work failed. The recorded cause is the provider's own message
 * (AWS errors name the account, ARNs, subnets and security groups): it stays in the node record and
 * the admin-only dead letter, and admins see it. Users get a plain sentence chosen by the step that
 * failed, with the dead letter's id for support.
 */
public final class FailureReasons {

    /**
     * What failed, told by the state the node was in when it failed: each state is left by exactly one
     * step. (The recorded step name is the route whose error handling caught the failure, often the
     * provisioning loop itself, so the state is the better witness.)
     */
    private static final Map<String, String> BY_STATE_BEFORE = Map.of(
            "REQUESTED", "No capacity was free for the node.",
            "ALLOCATED", "The cloud provider could not start the node.",
            "LAUNCHING", "The cloud provider could not start the node.",
            "RUNNING", "The node's address could not be published.",
            "ACCESS_READY", "The node's ready email could not be sent.");

    private FailureReasons() {
    }

    /** The plain reason for {@code node}'s last error; null when it has none. */
    public static String plain(Node node) {
        if (node.lastError() == null || node.lastError().isBlank()) {
            return null;
        }
        String reference = node.deadLetterId() == null ? "" : " Support reference: " + node.deadLetterId() + ".";
        if (node.state() != NodeState.FAILED) {
            return "The last operation on the node did not complete; it is retried automatically." + reference;
        }
        // The after-access hook runs in the email's step, so the state alone would blame the email.
        String sentence = node.lastError().contains(LambdaHooks.FAILURE_MARK + LambdaHooks.AFTER_ACCESS + " function ")
                ? "The operator's set-up step after the node became reachable failed." : sentence(node.history());
        return sentence + " Nothing was left running or billed." + reference;
    }

    private static String sentence(List<Map<String, String>> history) {
        for (int i = history.size() - 1; i > 0; i--) {
            Map<String, String> entry = history.get(i);
            if ("FAILED".equals(entry.get("state"))) {
                if ("failed in reconciler".equals(entry.get("note"))) {
                    return "The node stopped making progress and was cleaned up.";
                }
                return BY_STATE_BEFORE.getOrDefault(history.get(i - 1).get("state"), "Setting up the node failed.");
            }
        }
        return "Setting up the node failed.";
    }
}
