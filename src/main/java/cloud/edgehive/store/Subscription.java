package cloud.edgehive.store;

import java.time.Instant;
import java.util.Map;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A user's Stripe subscription as the service last understood it: who owns it, which plan and how
 * many nodes it pays for, and where it stands. {@code lastEventAt} is the Stripe creation time of the
 * newest event applied, so an older event arriving late changes nothing. {@code planChangedAt} is
 * set once a subscription event (not the purchase) set the plan: only then can nodes be over the
 * limit, since the purchase itself was checked against it.
 */
public record Subscription(
        String subscriptionId,
        String userId,
        String customerId,
        String plan,
        Integer nodeLimit,
        String status,
        Standing standing,
        Instant pastDueSince,
        Instant canceledAt,
        Instant lastPaidAt,
        Instant planChangedAt,
        long lastEventAt,
        String createdAt,
        String updatedAt,
        String dueAt) {

    /** What the service does about the subscription's nodes. */
    public enum Standing {
        /** Paid up: nodes run; suspended ones are resumed. */
        ACTIVE,
        /** A payment failed: grace period, then suspension, then termination. */
        PAST_DUE,
        /** Ended in Stripe: nodes are terminated after the cancellation grace period. Final. */
        CANCELED
    }

    static Subscription from(Map<String, AttributeValue> item) {
        Long limit = Items.number(item, "nodeLimit");
        String standing = Items.text(item, "standing");
        return new Subscription(
                Items.text(item, "subscriptionId"),
                Items.text(item, "userId"),
                Items.text(item, "customerId"),
                Items.text(item, "plan"),
                limit == null ? null : limit.intValue(),
                Items.text(item, "status"),
                standing == null ? Standing.ACTIVE : Standing.valueOf(standing),
                instant(Items.text(item, "pastDueSince")),
                instant(Items.text(item, "canceledAt")),
                instant(Items.text(item, "lastPaidAt")),
                instant(Items.text(item, "planChangedAt")),
                Items.number(item, "lastEventAt", 0),
                Items.text(item, "createdAt"),
                Items.text(item, "updatedAt"),
                Items.text(item, "dueAt"));
    }

    private static Instant instant(String text) {
        return text == null ? null : Instant.parse(text);
    }
}
