package cloud.edgehive.access;

import java.util.List;
import java.util.Map;

import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeState;

/** Node records for provider tests that need no store: only the fields providers read are meaningful. */
public final class TestNodes {

    private TestNodes() {
    }

    public static Node node(String nodeId, String host) {
        return new Node(nodeId, "user-1", "owner@example.com", "pro", "us-east-1", "t4g.small", 10, "cs_test", null, null,
                NodeState.RUNNING, 1, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", "default", 1, "i-123",
                "2026-01-01T00:00:00Z", host, null, null, null, null, null, null, 0, 0, null, List.of(), Map.of(), Map.of(), null, null);
    }
}
