package cloud.edgehive.harness;

/**
 * Subscription lifecycle events as Stripe sends them (the fields the service reads), with the
 * creation time given by the test so that order can be played with.
 */
public final class StripeEvents {

    private StripeEvents() {
    }

    /** A completed subscription-mode Checkout session for {@code subscriptionId}. */
    public static String checkoutCompleted(String eventId, long created, String sessionId, String userId, String email,
                                           String subscriptionId, String metadataJson) {
        return event(eventId, created, "checkout.session.completed", """
                {
                  "id": "%s",
                  "object": "checkout.session",
                  "mode": "subscription",
                  "payment_status": "paid",
                  "status": "complete",
                  "client_reference_id": "%s",
                  "customer": "cus_%s",
                  "subscription": "%s",
                  "customer_details": {"email": "%s", "name": "Test User"},
                  "metadata": %s
                }""".formatted(sessionId, userId, userId, subscriptionId, email, metadataJson));
    }

    /** {@code invoice.paid} or {@code invoice.payment_failed}, shaped as API 2025-03-31 and later send it. */
    public static String invoice(String eventId, long created, String type, String subscriptionId, String userId) {
        boolean paid = type.equals("invoice.paid");
        return event(eventId, created, type, """
                {
                  "id": "in_%s",
                  "object": "invoice",
                  "customer": "cus_%s",
                  "status": "%s",
                  "parent": {
                    "type": "subscription_details",
                    "subscription_details": {"subscription": "%s", "metadata": {"userId": "%s"}}
                  }
                }""".formatted(eventId, userId, paid ? "paid" : "open", subscriptionId, userId));
    }

    /** The same invoice event as older API versions send it: the subscription named on the invoice itself. */
    public static String legacyInvoice(String eventId, long created, String type, String subscriptionId, String userId) {
        return event(eventId, created, type, """
                {
                  "id": "in_%s",
                  "object": "invoice",
                  "customer": "cus_%s",
                  "subscription": "%s",
                  "subscription_details": {"metadata": {"userId": "%s"}}
                }""".formatted(eventId, userId, subscriptionId, userId));
    }

    /** {@code customer.subscription.updated} or {@code .deleted} with the subscription's status and price. */
    public static String subscription(String eventId, long created, String type, String subscriptionId, String userId,
                                      String status, String priceId) {
        return event(eventId, created, type, """
                {
                  "id": "%s",
                  "object": "subscription",
                  "customer": "cus_%s",
                  "status": "%s",
                  "metadata": {"userId": "%s"},
                  "items": {"object": "list", "data": [{"id": "si_%s", "object": "subscription_item", "price": {"id": "%s", "object": "price"}}]}
                }""".formatted(subscriptionId, userId, status, userId, eventId, priceId));
    }

    private static String event(String eventId, long created, String type, String object) {
        return """
                {
                  "id": "%s",
                  "object": "event",
                  "api_version": "2025-03-31.basil",
                  "created": %d,
                  "livemode": false,
                  "type": "%s",
                  "data": {"object": %s}
                }
                """.formatted(eventId, created, type, object);
    }
}
