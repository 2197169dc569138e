package cloud.edgehive.store;

import java.time.Instant;

/**
 * What one Stripe event says about a subscription. Null fields are unknown to that event and leave
 * the recorded value as it is. {@code at} is the event's Stripe creation time, which orders events.
 */
public record SubscriptionChange(
        String subscriptionId,
        String userId,
        String customerId,
        String plan,
        Integer nodeLimit,
        String status,
        Subscription.Standing standing,
        Instant at,
        String eventId,
        boolean paid) {
}
