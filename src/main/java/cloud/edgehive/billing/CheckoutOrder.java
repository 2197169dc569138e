package cloud.edgehive.billing;

/**
 * A validated request to buy a plan: whose nodes, which plan, the node's shape and where Stripe
 * sends the buyer back. {@code nodeLimit} is the plan's limit, or the contract's for Enterprise.
 */
public record CheckoutOrder(String userId, Plan plan, String region, String instanceType, int storageGb, int nodeCount,
                            int nodeLimit, String returnUrl, String customerId) {
}
