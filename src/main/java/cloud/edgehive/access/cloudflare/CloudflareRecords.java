package cloud.edgehive.access.cloudflare;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * DNS records in one Cloudflare zone. Records this service made carry a comment naming the node
 * ({@code <prefix><node id>}), which is how the reconciler tells them from an operator's own.
 */
public class CloudflareRecords {

    public record DnsRecord(String id, String type, String name, String content, boolean proxied, String comment) {
        static DnsRecord of(JsonNode json) {
            return new DnsRecord(json.path("id").asText(), json.path("type").asText(), json.path("name").asText(),
                    json.path("content").asText(), json.path("proxied").asBoolean(false), json.path("comment").asText(null));
        }
    }

    private final CloudflareApi api;
    private final String base;

    public CloudflareRecords(CloudflareApi api, String zoneId) {
        if (zoneId == null || zoneId.isBlank()) {
            throw new IllegalStateException("Missing configuration: cloudflare.zone-id (environment variable CLOUDFLARE_ZONE_ID)");
        }
        this.api = api;
        this.base = "/zones/" + zoneId + "/dns_records";
    }

    public List<DnsRecord> named(String name) {
        return api.list(base, Map.of("name", name)).stream().map(DnsRecord::of)
                .filter(r -> r.name().equalsIgnoreCase(name)).toList();
    }

    /** Every record whose comment starts with the prefix (Cloudflare compares comments case-insensitively). */
    public List<DnsRecord> commented(String prefix) {
        return api.list(base, Map.of("comment.startswith", prefix)).stream().map(DnsRecord::of)
                .filter(r -> r.comment() != null && r.comment().regionMatches(true, 0, prefix, 0, prefix.length())).toList();
    }

    /**
     * The one record for the name, pointing where asked. An existing record for the name is adopted:
     * left alone when it already says the same, overwritten when it says something else. A name that
     * holds several records (an A and an AAAA, say) keeps the first, overwritten, and loses the rest,
     * because a CNAME cannot share its name and the node's name is ours.
     */
    public DnsRecord ensure(String type, String name, String content, boolean proxied, int ttl, String comment) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type);
        body.put("name", name);
        body.put("content", content);
        body.put("proxied", proxied);
        body.put("ttl", ttl);
        body.put("comment", comment);
        List<DnsRecord> existing = named(name);
        if (existing.isEmpty()) {
            return DnsRecord.of(api.post(base, body));
        }
        DnsRecord first = existing.get(0);
        existing.stream().skip(1).forEach(extra -> api.delete(base + "/" + extra.id()));
        if (first.type().equalsIgnoreCase(type) && first.content().equalsIgnoreCase(content) && first.proxied() == proxied
                && comment.equals(first.comment())) {
            return first;
        }
        return DnsRecord.of(api.put(base + "/" + first.id(), body));
    }

    /** Deletes every record with the name; none left is the outcome, so a missing one is fine. */
    public void deleteNamed(String name) {
        named(name).forEach(r -> api.delete(base + "/" + r.id()));
    }

    public void delete(String recordId) {
        api.delete(base + "/" + recordId);
    }
}
