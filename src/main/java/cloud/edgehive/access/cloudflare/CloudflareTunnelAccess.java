package cloud.edgehive.access.cloudflare;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import cloud.edgehive.access.Access;
import cloud.edgehive.access.AccessProvider;
import cloud.edgehive.access.NodeTunnels;
import cloud.edgehive.access.cloudflare.CloudflareTunnels.Tunnel;
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
public class CloudflareTunnelAccess implements AccessProvider, NodeTunnels {

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

    @Override
    public boolean namesAddress() {
        return false;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String tunnelClient() {
        return "cloudflare";
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

    /** The CNAME to the node's tunnel. Idempotent. */
    public Access publishRecord(Node node, Tunnel tunnel) {
        String hostname = hostname(node);
        records.ensure("CNAME", hostname, tunnel.cnameTarget(), true, 1, config.prefix() + node.nodeId());
        return new Access(hostname, config.scheme() + "://" + hostname, tunnel.id(), tunnel.status());
    }

    /** Tunnel, ingress and record: everything that makes the node reachable. Idempotent. */
    @Override
    public Access publish(Node node) {
        return publishRecord(node, openTunnel(node));
    }

    /** Record first (so the name never points at a tunnel being deleted), then the tunnel. Idempotent. */
    @Override
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

    @Override
    public Optional<String> tunnelToken(Node node) {
        return tunnelOf(node).map(t -> tunnels.token(t.id()));
    }

    /**
     * From one listing of this service's tunnels: each READY node's tunnel status, and drift when the
     * tunnel is gone or cannot serve traffic ({@code down}, or {@code inactive}: cloudflared never
     * connected).
     */
    @Override
    public Map<String, Health> inspect(List<Node> ready) {
        Map<String, Tunnel> byName = tunnels.withPrefix(config.prefix()).stream()
                .collect(Collectors.toMap(Tunnel::name, Function.identity(), (a, b) -> a));
        Map<String, Health> health = new LinkedHashMap<>();
        for (Node node : ready) {
            health.put(node.nodeId(), health(tunnelName(node), Optional.ofNullable(byName.get(tunnelName(node)))));
        }
        return health;
    }

    /** One node's tunnel health, asked of Cloudflare now. */
    public Health health(Node node) {
        return health(tunnelName(node), tunnelOf(node));
    }

    private static Health health(String name, Optional<Tunnel> tunnel) {
        if (tunnel.isEmpty()) {
            return new Health("gone", "Cloudflare tunnel " + name + " is gone");
        }
        String status = tunnel.get().status();
        boolean broken = "down".equals(status) || "inactive".equals(status);
        return new Health(status, broken ? "Cloudflare tunnel " + tunnel.get().id() + " is " + status : null);
    }

    /** Every tunnel and record this service made, with the node each was made for. */
    @Override
    public List<PublishedName> managed() {
        List<PublishedName> found = new ArrayList<>();
        for (Tunnel tunnel : tunnels.withPrefix(config.prefix())) {
            found.add(new PublishedName(CloudflareDns.TUNNEL + tunnel.id(), tunnel.name().substring(config.prefix().length()),
                    tunnel.name()));
        }
        found.addAll(CloudflareDns.managedRecords(records, config.prefix()));
        return found;
    }

    @Override
    public void removeOrphan(PublishedName orphan) {
        if (orphan.id().startsWith(CloudflareDns.TUNNEL)) {
            tunnels.delete(orphan.id().substring(CloudflareDns.TUNNEL.length()));
        } else if (orphan.id().startsWith(CloudflareDns.RECORD)) {
            records.delete(orphan.id().substring(CloudflareDns.RECORD.length()));
        }
    }
}
