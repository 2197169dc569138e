package cloud.edgehive.access;

import cloud.edgehive.store.Node;

/**
 * No record at all: a wildcard-DNS service (sslip.io by default) answers any name that embeds the IP,
 * e.g. {@code http://node-3f9c2a1b7d.54-1-2-3.sslip.io:3001}. Good for trials and shared hosts.
 */
public class SslipDns implements AccessProvider {

    private final String domain;
    private final String scheme;
    private final boolean withPort;

    public SslipDns(String domain, String scheme, boolean withPort) {
        this.domain = domain;
        this.scheme = scheme;
        this.withPort = withPort;
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
        String port = withPort && node.port() != null ? ":" + node.port() : "";
        return new Access(null, scheme + "://" + host + port);
    }

    @Override
    public void unpublish(Node node) {
        // Nothing was published.
    }
}
