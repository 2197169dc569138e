package cloud.edgehive.access;

/** How users reach a node: the DNS name that was published (null when none) and the URL to use. */
public record Access(String dnsName, String url) {
}
