package cloud.edgehive.api;

import java.util.List;

import cloud.edgehive.store.Node;

/**
 * One node (its id and its one human name) with what happened to it: every recorded step ({@code state}, {@code at}, {@code note})
 * and the last error; for a node reached through a tunnel of its own, the tunnel's id and its status as last seen.
 */
public record NodeDetail(
        String id,
        String name,
        String state,
        String url,
        String dnsName,
        String host,
        Integer port,
        Tunnel tunnel,
        String instanceId,
        String region,
        String instanceType,
        int storageGb,
        String plan,
        String createdAt,
        String updatedAt,
        String lastError,
        List<Step> history) {

    /** The node's own tunnel: its id, and its status as last seen (healthy, degraded, down, inactive). */
    public record Tunnel(String id, String status) {
    }

    /** A recorded transition: the state entered, when, and why. */
    public record Step(String state, String at, String note) {
    }

    /** The node as its owner sees it: a plain failure reason, never the provider's raw message. */
    public static NodeDetail of(Node node) {
        return of(node, false);
    }

    /** {@code admin}: the recorded cause as it is (operators need the provider's message). */
    public static NodeDetail of(Node node, boolean admin) {
        return new NodeDetail(node.nodeId(), node.hostLabel(), node.state().name(), node.url(), node.dnsName(), node.host(), node.port(),
                node.tunnelId() == null ? null : new Tunnel(node.tunnelId(), node.tunnelStatus()),
                node.instanceId(), node.region(), node.instanceType(), node.storageGb(), node.plan(), node.createdAt(),
                node.updatedAt(), admin ? node.lastError() : FailureReasons.plain(node),
                node.history().stream().map(h -> new Step(h.get("state"), h.get("at"), h.get("note"))).toList());
    }
}
