package cloud.edgehive.api;

import cloud.edgehive.store.Node;

/**
 * One node as its owner sees it in a listing: no lease, version or billing internals. {@code name} is
 * the node's one human name, the same in the dashboard, its emails and its DNS label.
 */
public record NodeSummary(
        String id,
        String name,
        String state,
        String url,
        String region,
        String instanceType,
        int storageGb,
        String plan,
        String createdAt) {

    public static NodeSummary of(Node node) {
        return new NodeSummary(node.nodeId(), node.hostLabel(), node.state().name(), node.url(), node.region(), node.instanceType(),
                node.storageGb(), node.plan(), node.createdAt());
    }
}
