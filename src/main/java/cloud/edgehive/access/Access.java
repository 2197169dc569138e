package cloud.edgehive.access;

/**
 * How users reach a node: the DNS name that was published (null when none) and the URL to use; for
 * a node reached through a tunnel of its own, also the tunnel's id and status (else null).
 */
public record Access(String dnsName, String url, String tunnelId, String tunnelStatus) {

    public Access(String dnsName, String url) {
        this(dnsName, url, null, null);
    }
}
