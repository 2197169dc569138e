package cloud.edgehive.dns;

import java.util.function.IntUnaryOperator;

import cloud.edgehive.store.Node;

/** Local mode: no record, the node answers on its slot's port on this machine, {@code http://localhost:<port>}. */
public class LocalDns implements DnsProvider {

    private final String scheme;
    private final IntUnaryOperator portOfSlot;

    public LocalDns(String scheme, IntUnaryOperator portOfSlot) {
        this.scheme = scheme;
        this.portOfSlot = portOfSlot;
    }

    @Override
    public Access publish(Node node, String address) {
        if (node.slot() == null) {
            throw new IllegalStateException("Node " + node.nodeId() + " has no slot, so no port");
        }
        return new Access(null, scheme + "://localhost:" + portOfSlot.applyAsInt(node.slot()));
    }

    @Override
    public void remove(Node node) {
        // Nothing was published.
    }
}
