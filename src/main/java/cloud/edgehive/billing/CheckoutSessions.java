package cloud.edgehive.billing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import cloud.edgehive.store.NodeIds;
import cloud.edgehive.store.NodeRequest;
import cloud.edgehive.store.NodeStore;
import cloud.edgehive.store.StoredEvent;

/**
 * Turns a completed Checkout session into node records. The session carries the user
 * ({@code client_reference_id}) and the node's shape (metadata: plan, region, instanceType,
 * storageGb, nodeCount); node ids derive from the session id, so a replay finds the same nodes.
 */
public class CheckoutSessions {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Defaults for what the session's metadata leaves out. */
    public record Defaults(String plan, String region, String instanceType, int storageGb) {
    }

    private final NodeStore nodes;
    private final Defaults defaults;

    public CheckoutSessions(NodeStore nodes, Defaults defaults) {
        this.nodes = nodes;
        this.defaults = defaults;
    }

    /** Records the purchase's nodes and returns every one of their ids, new or already recorded. */
    public List<String> provision(StoredEvent event) {
        List<String> ids = new ArrayList<>();
        for (NodeRequest request : requests(event)) {
            nodes.create(request);
            ids.add(request.nodeId());
        }
        return ids;
    }

    List<NodeRequest> requests(StoredEvent event) {
        JsonNode session = parse(event.payload()).path("data").path("object");
        String paymentStatus = session.path("payment_status").asText("paid");
        if ("unpaid".equals(paymentStatus)) {
            // Delayed payment methods: the node waits for checkout.session.async_payment_succeeded.
            return List.of();
        }
        String sessionId = required(session, "id");
        JsonNode metadata = session.path("metadata");
        String userId = text(session, "client_reference_id", text(metadata, "userId", null));
        if (userId == null) {
            throw new IllegalArgumentException("Checkout session " + sessionId + " has no client_reference_id: cannot tell whose node it is");
        }
        String email = text(session.path("customer_details"), "email", text(session, "customer_email", null));
        int count = Math.max(1, metadata.path("nodeCount").asInt(1));
        int storage = metadata.hasNonNull("storageGb") ? Integer.parseInt(metadata.get("storageGb").asText()) : defaults.storageGb();
        List<NodeRequest> requests = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            requests.add(new NodeRequest(
                    NodeIds.forPurchase(sessionId, i),
                    userId,
                    email,
                    text(metadata, "plan", defaults.plan()),
                    text(metadata, "region", defaults.region()),
                    text(metadata, "instanceType", defaults.instanceType()),
                    storage,
                    sessionId,
                    text(session, "customer", null),
                    text(session, "subscription", null)));
        }
        return requests;
    }

    private static JsonNode parse(String payload) {
        try {
            return JSON.readTree(payload);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String required(JsonNode node, String field) {
        String value = text(node, field, null);
        if (value == null) {
            throw new IllegalArgumentException("Checkout session has no " + field);
        }
        return value;
    }

    private static String text(JsonNode node, String field, String fallback) {
        JsonNode value = node.path(field);
        return value.isTextual() && !value.asText().isBlank() ? value.asText() : fallback;
    }
}
