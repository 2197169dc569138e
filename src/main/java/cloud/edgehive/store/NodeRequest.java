package cloud.edgehive.store;

/** What a purchase asks for: one node's owner, plan and shape. */
public record NodeRequest(
        String nodeId,
        String userId,
        String email,
        String plan,
        String region,
        String instanceType,
        int storageGb,
        String sessionId,
        String customerId,
        String subscriptionId) {
}
