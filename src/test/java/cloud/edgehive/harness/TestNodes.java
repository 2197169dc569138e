package cloud.edgehive.harness;

import java.util.List;
import java.util.Map;

import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeState;

/** Node records for unit tests of decisions made from a node (the one place that calls Node's constructor). */
public final class TestNodes {

    private TestNodes() {
    }

    public static Node node(String nodeId, NodeState state, String createdAt, Map<String, String> billing, Map<String, String> notified) {
        return node(nodeId, state, createdAt, null, null, billing, notified, List.of());
    }

    public static Node node(String nodeId, NodeState state, String createdAt, String lastError, String deadLetterId,
                            Map<String, String> billing, Map<String, String> notified, List<Map<String, String>> history) {
        return new Node(nodeId, "ada", "ada@example.com", "pro", "us-east-1", "t4g.small", 10, "cs_test_1", "cus_1", "sub_1",
                state, 3, createdAt, createdAt, "default", 0, "i-1", null, "127.0.0.1", null, null,
                "http://node.example", lastError, deadLetterId, null, 0, 0, null, history, List.of(), notified, billing, null, null);
    }
}
