package cloud.edgehive.local;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import cloud.edgehive.auth.Caller;
import cloud.edgehive.problem.ProblemException;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeStore;

/**
 * Local mode's minimal node endpoints (state, terminate) for the holder of the start-up token: the
 * caller must own the node or be an admin. Someone else's node answers 404, as a missing one does.
 */
public class LocalNodes {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final NodeStore nodes;

    public LocalNodes(NodeStore nodes) {
        this.nodes = nodes;
    }

    /** The node id when the caller may act on it; a 404 problem otherwise. */
    public String authorize(String nodeId, Caller caller) {
        return visible(nodeId, caller).nodeId();
    }

    public String view(String nodeId, Caller caller) {
        Node node = visible(nodeId, caller);
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("nodeId", node.nodeId());
        view.put("state", node.state().name());
        view.put("url", node.url());
        view.put("plan", node.plan());
        view.put("instanceId", node.instanceId());
        view.put("lastError", node.lastError());
        view.put("updatedAt", node.updatedAt());
        try {
            return JSON.writeValueAsString(view);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private Node visible(String nodeId, Caller caller) {
        return nodes.find(nodeId == null ? "" : nodeId)
                .filter(n -> caller.admin() || caller.userId().equals(n.userId()))
                .orElseThrow(() -> new ProblemException(404, "Not found", "No such node"));
    }
}
