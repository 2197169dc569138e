package cloud.edgehive.dns;

import cloud.edgehive.store.Node;

/**
 * No record at all: a wildcard-DNS service (sslip.io by default) answers any name that embeds the IP,
 * e.g. {@code http://node-3f9c2a1b7d.54-1-2-3.sslip.io:3001}. Good for trials and shared hosts.
 */
public class SslipDns implements DnsProvider {

    private final String domain;
    private final String scheme;
    private final boolean withPort;
    private final java.util.function.IntUnaryOperator portOfSlot;

    public SslipDns(String domain, String scheme, boolean withPort, java.util.function.IntUnaryOperator portOfSlot) {
        this.domain = domain;
        this.scheme = scheme;
        this.withPort = withPort;
        this.portOfSlot = portOfSlot;
    }

    @Override
    public Access publish(Node node, String address) {
        String host = node.hostLabel() + "." + address.replace('.', '-') + "." + domain;
        String port = withPort && node.slot() != null ? ":" + portOfSlot.applyAsInt(node.slot()) : "";
        return new Access(null, scheme + "://" + host + port);
    }

    @Override
    public void remove(Node node) {
        // Nothing was published.
    }
}
