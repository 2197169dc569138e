package cloud.edgehive.access;

import java.util.Optional;

import cloud.edgehive.store.Node;

/**
 * An access provider whose nodes each run a tunnel client (cloudflared) with a credential of their
 * own. The node fetches that credential after boot (the node-agent endpoint), so it is never in
 * user-data, a launch request or a log.
 */
public interface NodeTunnels {

    /** The client the node's first boot installs and runs, e.g. "cloudflare". */
    String tunnelClient();

    /** The node's own tunnel credential; empty while its tunnel does not exist yet. */
    Optional<String> tunnelToken(Node node);
}
