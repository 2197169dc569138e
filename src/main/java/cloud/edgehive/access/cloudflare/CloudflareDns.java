package cloud.edgehive.access.cloudflare;

import java.util.List;
import java.util.regex.Pattern;

import cloud.edgehive.access.Access;
import cloud.edgehive.access.AccessProvider;
import cloud.edgehive.store.Node;

/**
 * Access provider {@code cloudflare}: a record {@code node-<name>.<zone>} in a Cloudflare zone, for
 * operators whose domain is on Cloudflare and who need no tunnel. The node's host decides the type:
 * an IPv4 address gets an A record, an IPv6 address an AAAA, a hostname (an ECS host, a load
 * balancer) a CNAME. Proxied through Cloudflare or not, by configuration.
 */
public class CloudflareDns implements AccessProvider {

    public static final String NAME = "cloudflare";
    /** {@link PublishedName#id()} prefixes: what kind of Cloudflare object an orphan is. */
    static final String TUNNEL = "tunnel/";
    static final String RECORD = "dns/";
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    /**
     * @param zone    the Cloudflare zone's name
     * @param proxied whether traffic goes through Cloudflare (then the TTL is automatic and the URL
     *                has no port: Cloudflare's proxy serves the standard ones)
     * @param ttl     seconds, for records that are not proxied
     * @param prefix  marks this service's records (their comment is {@code <prefix><node id>})
     * @param scheme  the scheme of the URL users get
     */
    public record Config(String zone, boolean proxied, int ttl, String prefix, String scheme) {
    }

    private final CloudflareRecords records;
    private final Config config;

    public CloudflareDns(CloudflareRecords records, Config config) {
        this.records = records;
        this.config = config;
    }

    @Override
    public String name() {
        return NAME;
    }

    public String hostname(Node node) {
        return node.hostLabel() + "." + config.zone();
    }

    /** Creates or adopts the node's record pointing at its host. Idempotent. */
    @Override
    public Access publish(Node node) {
        String host = node.host();
        if (host == null || host.isBlank()) {
            throw new IllegalStateException("Node " + node.nodeId() + " has no host to publish");
        }
        String hostname = hostname(node);
        records.ensure(typeOf(host), hostname, host, config.proxied(), config.proxied() ? 1 : config.ttl(),
                config.prefix() + node.nodeId());
        String port = !config.proxied() && node.port() != null ? ":" + node.port() : "";
        return new Access(hostname, config.scheme() + "://" + hostname + port);
    }

    @Override
    public void unpublish(Node node) {
        records.deleteNamed(hostname(node));
    }

    @Override
    public List<PublishedName> managed() {
        return managedRecords(records, config.prefix());
    }

    @Override
    public void removeOrphan(PublishedName orphan) {
        if (orphan.id().startsWith(RECORD)) {
            records.delete(orphan.id().substring(RECORD.length()));
        }
    }

    static String typeOf(String host) {
        if (IPV4.matcher(host).matches()) {
            return "A";
        }
        return host.contains(":") ? "AAAA" : "CNAME";
    }

    static List<PublishedName> managedRecords(CloudflareRecords records, String prefix) {
        return records.commented(prefix).stream()
                .map(r -> new PublishedName(RECORD + r.id(), r.comment().substring(prefix.length()), r.name()))
                .toList();
    }
}
