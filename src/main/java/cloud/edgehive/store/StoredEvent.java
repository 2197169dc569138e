package cloud.edgehive.store;

import java.util.Set;

/** A Stripe event as recorded: its id, type, Stripe's creation time and the verified raw payload. */
public record StoredEvent(String eventId, String type, long created, String payload) {

    /**
     * The types the stripe-events route has work for (its choice names the same ones). Stripe sends
     * many others to an endpoint (charges, payment intents, customers): those are done once recorded.
     */
    public static final Set<String> WITH_WORK = Set.of("checkout.session.completed", "checkout.session.async_payment_succeeded",
            "invoice.paid", "invoice.payment_failed", "customer.subscription.updated", "customer.subscription.deleted");

    public boolean needsWork() {
        return WITH_WORK.contains(type);
    }
}
