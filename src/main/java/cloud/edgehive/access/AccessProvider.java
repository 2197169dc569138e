package cloud.edgehive.access;

import java.util.List;

import cloud.edgehive.store.Node;

/**
 * What makes a node reachable (a Route 53 record, a Cloudflare record or tunnel, an sslip.io-style
 * name that needs no record), chosen by {@code access.provider} from the provider catalog. Both
 * operations are idempotent.
 */
public interface AccessProvider {

    /** The catalog name: "route53", "sslip", "local", "cloudflare", "cloudflare-tunnel". */
    String name();

    /** Creates or adopts what makes the node reachable; returns how to reach it. {@code node.host()/port()} are set by the launch step. */
    Access publish(Node node);

    /** Removes what {@link #publish} made, if anything. */
    void unpublish(Node node);

    /**
     * Whether what is published names the node's address, so it must not outlive that address: a
     * suspended EC2 instance gives its public IP back to AWS, and a name left on it would serve
     * whoever gets the IP next. A tunnel follows the node wherever it runs.
     */
    default boolean namesAddress() {
        return true;
    }

    /** What this provider published, for the reconciler's orphan audit. */
    default List<PublishedName> managed() {
        return List.of();
    }

    /** Deletes one thing {@link #managed()} reported (a reconciler clean-up of an orphan). */
    default void removeOrphan(PublishedName orphan) {
    }

    /**
     * How the access of READY nodes stands, by node id, from one listing for all: the provider's
     * status of the node's path (e.g. a tunnel's {@code healthy}/{@code down}; null when it has
     * none) and what is wrong with it (null when nothing). Nodes the provider has nothing to say
     * about are absent.
     */
    default java.util.Map<String, Health> inspect(List<Node> ready) {
        return java.util.Map.of();
    }

    record PublishedName(String id, String nodeId, String name) {
    }

    record Health(String status, String drift) {
    }
}
