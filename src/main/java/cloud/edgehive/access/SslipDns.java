package cloud.edgehive.access;

import cloud.edgehive.store.Node;

/**
 * No record at all: a wildcard-DNS service (sslip.io by default) answers any name that embeds the IP,
 * e.g. {@code http://node-3f9c2a1b7d.54-1-2-3.sslip.io:3001}. Good for trials and shared hosts. The
 * port is in the URL whenever the compute provider recorded one (an ECS task on a shared host listens
 * on its slot's port); a node without one (an EC2 instance) is reached on the scheme's port.
 */
public class SslipDns implements AccessProvider {

    private final String domain;
    private final String scheme;

    public SslipDns(String domain, String scheme) {
        this.domain = domain;
        this.scheme = scheme;
    }

    @Override
    public String name() {
        return "sslip";
    }

    @Override
    public Access publish(Node node) {
        if (node.host() == null) {
            throw new IllegalStateException("Node " + node.nodeId() + " has no address to publish");
        }
        String host = node.hostLabel() + "." + node.host().replace('.', '-').replace(':', '-') + "." + domain;
        String port = node.port() != null ? ":" + node.port() : "";
        return new Access(null, scheme + "://" + host + port);
    }

    @Override
    public void unpublish(Node node) {
        // Nothing was published.
    }
}
