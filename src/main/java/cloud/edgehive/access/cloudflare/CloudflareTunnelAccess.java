package cloud.edgehive.access.cloudflare;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import cloud.edgehive.access.cloudflare.CloudflareTunnels.Tunnel;
import cloud.edgehive.dns.Access;
import cloud.edgehive.store.Node;

/**
 * Access provider {@code cloudflare-tunnel}: every node gets a Cloudflare Tunnel of its own, so it is
 * reachable at {@code https://node-<name>.<zone>} without an open port, and no credential is shared
 * by two nodes. Per node:
 * <ol>
 * <li>a remotely managed tunnel named {@code <prefix><node id>} (found by that name before one is
 * created, so a resumed step never makes a second);</li>
 * <li>its ingress: the node's hostname to the node's local service, then {@code http_status:404};</li>
 * <li>a proxied CNAME {@code node-<name>.<zone>} to {@code <tunnel id>.cfargotunnel.com}, adopting
 * a record that already holds the name.</li>
 * </ol>
 * The node fetches its tunnel's token itself after boot ({@link #tunnelToken}), so the token is in
 * no user-data, launch request or log.
 */
public class CloudflareTunnelAccess implements cloud.edgehive.dns.DnsProvider {

    public static final String NAME = "cloudflare-tunnel";

    /**
     * @param zone    the Cloudflare zone's name, e.g. {@code nodes.example.com}
     * @param service where cloudflared on the node sends traffic, e.g. {@code http://localhost:8080}
     * @param prefix  names this service's tunnels and marks its DNS records, e.g. {@code edge-hive-}
     * @param scheme  the scheme of the URL users get ({@code https})
     */
    public record Config(String zone, String service, String prefix, String scheme) {
    }

    private final CloudflareTunnels tunnels;
    private final CloudflareRecords records;
    private final Config config;

    public CloudflareTunnelAccess(CloudflareTunnels tunnels, CloudflareRecords records, Config config) {
        this.tunnels = tunnels;
        this.records = records;
        this.config = config;
    }

    public String name() {
        return NAME;
    }

    public String hostname(Node node) {
        return node.hostLabel() + "." + config.zone();
    }

    public String tunnelName(Node node) {
        return config.prefix() + node.nodeId();
    }

    /** The node's tunnel, created when it has none, with its ingress set. Idempotent. */
    public Tunnel openTunnel(Node node) {
        Tunnel tunnel = tunnels.byName(tunnelName(node)).orElseGet(() -> tunnels.create(tunnelName(node)));
        tunnels.configure(tunnel.id(), hostname(node), config.service());
        return tunnel;
    }

    /** The CNAME to the node's tunnel (which must exist). Idempotent. */
    public Access publishRecord(Node node, Tunnel tunnel) {
        String hostname = hostname(node);
        records.ensure("CNAME", hostname, tunnel.cnameTarget(), true, 1, config.prefix() + node.nodeId());
        return new Access(hostname, config.scheme() + "://" + hostname);
    }

    /** Tunnel, ingress and record: everything that makes the node reachable. Idempotent. */
    public Access publish(Node node) {
        return publishRecord(node, openTunnel(node));
    }

    @Override
    public Access publish(Node node, String address) {
        return publish(node);
    }

    @Override
    public void remove(Node node) {
        unpublish(node);
    }

    /** Record first (so the name never points at a tunnel being deleted), then the tunnel. Idempotent. */
    public void unpublish(Node node) {
        unpublishRecord(node);
        closeTunnel(node);
    }

    public void unpublishRecord(Node node) {
        records.deleteNamed(hostname(node));
    }

    public void closeTunnel(Node node) {
        tunnels.byName(tunnelName(node)).ifPresent(t -> tunnels.delete(t.id()));
    }

    /** The node's tunnel as Cloudflare sees it now (id and status), if it has one. */
    public Optional<Tunnel> tunnelOf(Node node) {
        return tunnels.byName(tunnelName(node));
    }

    /** The token for the node's own tunnel; empty while the tunnel does not exist yet. */
    public Optional<String> tunnelToken(Node node) {
        return tunnelOf(node).map(t -> tunnels.token(t.id()));
    }

    /**
     * What is wrong with a READY node's tunnel, or empty when nothing is: no tunnel at all, or one
     * that cannot serve traffic ({@code down}, or {@code inactive}: cloudflared never connected).
     */
    public Optional<String> drift(Node node) {
        Optional<Tunnel> tunnel = tunnelOf(node);
        if (tunnel.isEmpty()) {
            return Optional.of("Cloudflare tunnel " + tunnelName(node) + " is gone");
        }
        String status = tunnel.get().status();
        if ("down".equals(status) || "inactive".equals(status)) {
            return Optional.of("Cloudflare tunnel " + tunnel.get().id() + " is " + status);
        }
        return Optional.empty();
    }

    /** Every tunnel and record this service made, with the node each was made for. */
    public List<ManagedName> managed() {
        List<ManagedName> found = new ArrayList<>();
        for (Tunnel tunnel : tunnels.withPrefix(config.prefix())) {
            found.add(new ManagedName(ManagedName.TUNNEL + tunnel.id(), tunnel.name().substring(config.prefix().length()), tunnel.name()));
        }
        found.addAll(CloudflareDns.managedRecords(records, config.prefix()));
        return found;
    }

    /** Deletes one orphan {@link #managed()} reported. */
    public void removeManaged(ManagedName orphan) {
        if (orphan.id().startsWith(ManagedName.TUNNEL)) {
            tunnels.delete(orphan.id().substring(ManagedName.TUNNEL.length()));
        } else if (orphan.id().startsWith(ManagedName.RECORD)) {
            records.delete(orphan.id().substring(ManagedName.RECORD.length()));
        }
    }
}
