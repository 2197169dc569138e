package cloud.edgehive.api;

import java.util.List;

import org.apache.camel.Body;
import org.apache.camel.Variable;

import cloud.edgehive.auth.Caller;
import cloud.edgehive.store.Node;

/** Maps stored nodes to what the API shows; the routes marshal the result to JSON. */
public class NodeViews {

    public NodeList list(List<Node> nodes) {
        return new NodeList(nodes.stream().map(NodeSummary::of).toList());
    }

    /** Admins see the recorded cause of a failure; everyone else a plain reason (see {@link FailureReasons}). */
    public NodeDetail detail(@Body Node node, @Variable("caller") Caller caller) {
        return NodeDetail.of(node, caller != null && caller.admin());
    }
}
