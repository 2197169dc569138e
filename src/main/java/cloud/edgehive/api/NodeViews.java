package cloud.edgehive.api;

import java.util.List;

import cloud.edgehive.store.Node;

/** Maps stored nodes to what the API shows; the routes marshal the result to JSON. */
public class NodeViews {

    public NodeList list(List<Node> nodes) {
        return new NodeList(nodes.stream().map(NodeSummary::of).toList());
    }

    public NodeDetail detail(Node node) {
        return NodeDetail.of(node);
    }
}
