package cloud.edgehive.access;

import cloud.edgehive.store.Node;

/** Local mode: no record, the node answers on its port on this machine, {@code http://localhost:<port>}. */
public class LocalDns implements AccessProvider {

    private final String scheme;

    public LocalDns(String scheme) {
        this.scheme = scheme;
    }

    @Override
    public String name() {
        return "local";
    }

    @Override
    public Access publish(Node node) {
        if (node.port() == null) {
            throw new IllegalStateException("Node " + node.nodeId() + " has no port to be reached on");
        }
        return new Access(null, scheme + "://localhost:" + node.port());
    }

    @Override
    public void unpublish(Node node) {
        // Nothing was published.
    }
}
