package cloud.edgehive.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Node ids derive from the purchase, so every retry, duplicate delivery or second replica converges
 * on the same node: the Checkout session id plus the node's index within that purchase.
 */
public final class NodeIds {

    private NodeIds() {
    }

    public static String forPurchase(String purchaseId, int index) {
        return purchaseId + "-" + index;
    }

    /** A DNS label derived from the id: stable, lower-case, 15 characters. */
    public static String hostLabel(String nodeId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(nodeId.getBytes(StandardCharsets.UTF_8));
            return "node-" + HexFormat.of().formatHex(digest, 0, 5);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
