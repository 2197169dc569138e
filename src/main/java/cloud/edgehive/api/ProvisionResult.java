package cloud.edgehive.api;

import java.util.List;

/**
 * What an admin provision request produced: the nodes named by its idempotency key, and whether
 * this call was a replay of one that had already recorded them all (answered 200 rather than 201).
 */
public record ProvisionResult(String idempotencyKey, boolean replayed, List<NodeSummary> nodes) {

    /** The ids to hand to the provisioning workers. */
    public List<String> nodeIds() {
        return nodes.stream().map(NodeSummary::id).toList();
    }
}
