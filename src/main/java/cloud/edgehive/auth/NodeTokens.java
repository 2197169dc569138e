package cloud.edgehive.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Per-node tokens: {@code ehn_} + HMAC-SHA256 of the node id under {@code node.token-secret}. Never
 * stored: the service recomputes a node's token to check its calls, so a leaked table leaks none,
 * and one node's token says nothing about another's.
 */
public final class NodeTokens {

    private final byte[] secret;

    public NodeTokens(String secret) {
        if (secret == null || secret.isBlank()) {
            throw new IllegalStateException("Missing configuration: node.token-secret (environment variable NODE_TOKEN_SECRET)");
        }
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
    }

    public String tokenOf(String nodeId) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return "ehn_" + HexFormat.of().formatHex(mac.doFinal(nodeId.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether {@code presented} is this node's token; compared in constant time. */
    public boolean isTokenOf(String nodeId, String presented) {
        if (nodeId == null || presented == null) {
            return false;
        }
        return MessageDigest.isEqual(tokenOf(nodeId).getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
    }
}
