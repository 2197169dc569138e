package cloud.edgehive.access.cloudflare;

/**
 * Something this service made at Cloudflare, for the reconciler: {@code id} is {@code tunnel/<uuid>}
 * or {@code dns/<record id>}, {@code nodeId} the node it was made for, {@code name} what it is called.
 */
public record ManagedName(String id, String nodeId, String name) {

    static final String TUNNEL = "tunnel/";
    static final String RECORD = "dns/";
}
