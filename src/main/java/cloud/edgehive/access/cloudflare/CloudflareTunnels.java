package cloud.edgehive.access.cloudflare;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import cloud.edgehive.pipeline.ProviderRejected;
import cloud.edgehive.pipeline.ProviderUnavailable;

/** Remotely managed Cloudflare Tunnels ({@code cfd_tunnel}) of one account. */
public class CloudflareTunnels {

    /** A tunnel as Cloudflare reports it; status is {@code inactive}, {@code healthy}, {@code degraded} or {@code down}. */
    public record Tunnel(String id, String name, String status) {
        static Tunnel of(JsonNode json) {
            return new Tunnel(json.path("id").asText(), json.path("name").asText(), json.path("status").asText(null));
        }

        /** The name its DNS record points at. */
        public String cnameTarget() {
            return id + ".cfargotunnel.com";
        }
    }

    private final CloudflareApi api;
    private final String base;

    public CloudflareTunnels(CloudflareApi api, String accountId) {
        if (accountId == null || accountId.isBlank()) {
            throw new IllegalStateException("Missing configuration: cloudflare.account-id (environment variable CLOUDFLARE_ACCOUNT_ID)");
        }
        this.api = api;
        this.base = "/accounts/" + accountId + "/cfd_tunnel";
    }

    /** The live (not deleted) tunnel with exactly this name. */
    public Optional<Tunnel> byName(String name) {
        return api.list(base, Map.of("name", name, "is_deleted", "false")).stream()
                .map(Tunnel::of).filter(t -> t.name().equals(name)).findFirst();
    }

    /** Every live tunnel whose name starts with the prefix. */
    public List<Tunnel> withPrefix(String prefix) {
        return api.list(base, Map.of("include_prefix", prefix, "is_deleted", "false")).stream()
                .map(Tunnel::of).filter(t -> t.name().startsWith(prefix)).toList();
    }

    /** A remotely managed tunnel: its ingress lives at Cloudflare, so the node needs only the token. */
    public Tunnel create(String name) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("config_src", "cloudflare");
        return Tunnel.of(api.post(base, body));
    }

    /** The whole ingress: the node's hostname to its local service, anything else 404. */
    public void configure(String tunnelId, String hostname, String service) {
        Map<String, Object> rule = new LinkedHashMap<>();
        rule.put("hostname", hostname);
        rule.put("service", service);
        api.put(base + "/" + tunnelId + "/configurations",
                Map.of("config", Map.of("ingress", List.of(rule, Map.of("service", "http_status:404")))));
    }

    /** The token cloudflared runs with. A secret: handed to the node that owns the tunnel, never logged. */
    public String token(String tunnelId) {
        JsonNode result = api.get(base + "/" + tunnelId + "/token", Map.of());
        if (!result.isTextual() || result.asText().isBlank()) {
            throw new ProviderRejected(CloudflareApi.PROVIDER, "no-token", "the tunnel token answer holds no token");
        }
        return result.asText();
    }

    /**
     * Removes the tunnel: its connections first (Cloudflare refuses to delete a tunnel that still has
     * some), then the tunnel. Idempotent: a tunnel already gone is the outcome wanted. A refusal of
     * the delete itself is retried rather than final: cloudflared on an instance still shutting down
     * can reconnect between the two calls.
     */
    public void delete(String tunnelId) {
        api.delete(base + "/" + tunnelId + "/connections");
        try {
            api.delete(base + "/" + tunnelId);
        } catch (ProviderRejected refused) {
            throw new ProviderUnavailable(CloudflareApi.PROVIDER, "tunnel " + tunnelId + " not deleted yet (" + refused.getMessage() + ")",
                    null);
        }
    }
}
