package cloud.edgehive.api;

import java.util.regex.Pattern;

import cloud.edgehive.auth.Caller;
import cloud.edgehive.problem.ProblemException;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeStore;

/**
 * Decides whether the caller may see or act on a node: its owner may, an admin may (operators act
 * on any node), and everyone else gets the same 404 as for a node that does not exist, so an id
 * never tells another user that it is taken.
 */
public class NodeAccess {

    // Ids derive from Checkout session ids or admin idempotency keys; anything else cannot be a node,
    // and refusing it here keeps over-long or odd keys away from DynamoDB (which would answer 400).
    private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9_-]{1,200}");

    private final NodeStore nodes;

    public NodeAccess(NodeStore nodes) {
        this.nodes = nodes;
    }

    public Node owned(Caller caller, String nodeId) {
        if (nodeId == null || !NODE_ID.matcher(nodeId).matches()) {
            throw notFound();
        }
        return nodes.find(nodeId)
                .filter(node -> caller.admin() || caller.userId().equals(node.userId()))
                .orElseThrow(NodeAccess::notFound);
    }

    private static ProblemException notFound() {
        return new ProblemException(404, "Not found", "No such node");
    }
}
