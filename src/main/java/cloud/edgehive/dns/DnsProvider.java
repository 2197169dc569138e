package cloud.edgehive.dns;

import cloud.edgehive.store.Node;

/**
 * Publishes a node's address (Route 53, Cloudflare, or an sslip.io-style name that needs no record).
 * Chosen by {@code dns.provider}. Both operations are idempotent.
 */
public interface DnsProvider {

    /** Creates or updates the node's record pointing at {@code address}; returns how to reach it. */
    Access publish(Node node, String address);

    /** Removes the node's record if there is one. */
    void remove(Node node);
}
