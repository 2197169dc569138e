package cloud.edgehive.api;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cloud.edgehive.auth.NodeTokens;
import cloud.edgehive.pipeline.ProviderRejected;
import cloud.edgehive.pipeline.ProviderUnavailable;
import cloud.edgehive.problem.ProblemException;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeState;

/**
 * Answers calls a node makes about itself, authenticated with its own node token (the HMAC of its
 * id; {@link NodeTokens}). The one call so far: the token of the node's own Cloudflare Tunnel, which
 * the node fetches after boot so that no tunnel token is ever in user-data, a launch request or a
 * command line. A token for another node, or no token, gets the same 401 as a wrong one, so the
 * answer never tells which node ids exist.
 */
public class NodeAgent {

    /** Where a node's tunnel token comes from; empty while its tunnel does not exist yet. */
    @FunctionalInterface
    public interface TunnelTokens {
        Optional<String> tunnelToken(Node node);
    }

    private static final Logger LOG = LoggerFactory.getLogger(NodeAgent.class);
    private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9_-]{1,200}");

    private final NodeTokens tokens;
    private final Function<String, Optional<Node>> nodes;
    private final TunnelTokens tunnels;
    private final Duration retryAfter;

    /**
     * @param tunnels    null when nodes have no tunnel (the access provider is not {@code cloudflare-tunnel})
     * @param retryAfter how long a node waits before asking again for a tunnel not made yet
     */
    public NodeAgent(NodeTokens tokens, Function<String, Optional<Node>> nodes, TunnelTokens tunnels, Duration retryAfter) {
        this.tokens = tokens;
        this.nodes = nodes;
        this.tunnels = tunnels;
        this.retryAfter = retryAfter;
    }

    /** {@code {nodeId, tunnelToken}} for the calling node's own tunnel. */
    public Map<String, String> tunnelToken(String nodeId, String authorization) {
        Node node = authenticate(nodeId, authorization);
        if (tunnels == null) {
            throw new ProblemException(404, "No tunnel", "This service gives nodes no Cloudflare Tunnel");
        }
        Optional<String> token;
        try {
            token = tunnels.tunnelToken(node);
        } catch (ProviderUnavailable unavailable) {
            LOG.warn("Tunnel token for node {} not available now: {}", nodeId, unavailable.getMessage());
            throw new ProblemException(503, "Tunnel not available", "Cloudflare did not answer; try again later",
                    unavailable.retryAfter() != null ? unavailable.retryAfter() : retryAfter);
        } catch (ProviderRejected rejected) {
            LOG.error("Tunnel token for node {} refused: {}", nodeId, rejected.getMessage());
            throw new ProblemException(502, "Tunnel not available", "The tunnel's token could not be read");
        }
        if (token.isEmpty()) {
            throw new ProblemException(503, "Tunnel not ready", "The node's tunnel is not made yet; try again later", retryAfter);
        }
        LOG.info("Node {} fetched its tunnel token", nodeId);
        Map<String, String> answer = new LinkedHashMap<>();
        answer.put("nodeId", nodeId);
        answer.put("tunnelToken", token.get());
        return answer;
    }

    /** The answer is the node's secret: no cache may keep it. */
    public void noStore(org.apache.camel.Exchange exchange) {
        cloud.edgehive.web.Pages.cacheControl(exchange, "no-store");
    }

    private Node authenticate(String nodeId, String authorization) {
        String presented = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).trim() : null;
        if (nodeId == null || !NODE_ID.matcher(nodeId).matches() || !tokens.isTokenOf(nodeId, presented)) {
            throw new ProblemException(401, "Unauthorized", "A node may call only with its own node token");
        }
        Node node = nodes.apply(nodeId).orElseThrow(() -> new ProblemException(404, "Not found", "No such node"));
        if (node.state().isFinal() || node.state() == NodeState.TERMINATING) {
            throw new ProblemException(410, "Gone", "The node is " + node.state());
        }
        return node;
    }
}
