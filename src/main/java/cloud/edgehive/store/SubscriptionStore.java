package cloud.edgehive.store;

import static cloud.edgehive.store.Items.n;
import static cloud.edgehive.store.Items.s;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * The subscriptions table: per Stripe subscription, its owner, plan, standing and the time of the
 * newest event applied. Every event is one conditional write that only lands when it is newer than
 * what is recorded, so duplicates and late arrivals change nothing. Subscriptions with work pending
 * (a deadline, or nodes still to bring in line) carry {@code schedule}/{@code dueAt} and sit in the
 * sparse {@code due} index the billing check Queries.
 */
public class SubscriptionStore {

    static final String SCHEDULED = "billing";

    private final DynamoDbClient dynamo;
    private final String table;
    private final Clock clock;
    private final String owner;
    private final Duration lease;

    public SubscriptionStore(DynamoDbClient dynamo, Tables tables, Clock clock, String owner, Duration lease) {
        this.dynamo = dynamo;
        this.table = tables.subscriptions();
        this.clock = clock;
        this.owner = owner;
        this.lease = lease;
    }

    public Optional<Subscription> find(String subscriptionId) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).key(key(subscriptionId)).consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(Subscription.from(item));
    }

    /**
     * Applies an event's view of the subscription when it is at least as new as the newest applied;
     * false when it was older (or the subscription already ended) and nothing changed. A cancellation
     * is final and wins whatever its time: Stripe never revives a deleted subscription.
     */
    public boolean apply(SubscriptionChange change) {
        Expression e = new Expression();
        String now = clock.instant().toString();
        e.set("standing", s(change.standing().name()));
        e.set("lastEventAt", n(change.at().getEpochSecond()));
        e.set("lastEventId", s(change.eventId()));
        e.set("updatedAt", s(now));
        e.setIfAbsent("createdAt", s(now));
        e.set("schedule", s(SCHEDULED));
        e.set("dueAt", s(now));
        e.setIfPresent("status", change.status());
        e.setIfPresent("userId", change.userId());
        e.setIfPresent("customerId", change.customerId());
        e.setIfPresent("plan", change.plan());
        if (change.plan() != null) {
            e.set("planChangedAt", s(change.at().toString()));
        }
        if (change.nodeLimit() != null) {
            e.set("nodeLimit", n(change.nodeLimit()));
        }
        switch (change.standing()) {
            case PAST_DUE -> e.setIfAbsent("pastDueSince", s(change.at().toString()));
            case ACTIVE -> e.remove("pastDueSince");
            case CANCELED -> e.set("canceledAt", s(change.at().toString()));
            default -> throw new IllegalArgumentException(change.standing().name());
        }
        if (change.paid()) {
            e.set("lastPaidAt", s(change.at().toString()));
        }
        e.value(":canceled", s(Subscription.Standing.CANCELED.name()));
        String notEnded = "(attribute_not_exists(#standing) OR #standing <> :canceled)";
        String condition;
        if (change.standing() == Subscription.Standing.CANCELED) {
            condition = notEnded;
        } else {
            e.value(":at", n(change.at().getEpochSecond()));
            condition = notEnded + " AND (attribute_not_exists(#lastEventAt) OR #lastEventAt <= :at)";
        }
        return update(change.subscriptionId(), e, condition);
    }

    /**
     * Records what a completed Checkout session tells: the owner, the Stripe customer and the plan
     * bought. It fills in only what no event recorded yet, since subscription events that overtook
     * the checkout event are newer and win. True when the subscription is new: active, nothing to
     * bring in line; false when it was recorded before and its nodes must be checked now.
     */
    public boolean recordCheckout(String subscriptionId, String userId, String customerId, String plan, int nodeLimit) {
        String now = clock.instant().toString();
        if (recordNew(subscriptionId, userId, customerId, plan, nodeLimit, now)) {
            return true;
        }
        Expression e = new Expression();
        e.set("userId", s(userId));
        e.set("updatedAt", s(now));
        e.setIfAbsent("createdAt", s(now));
        e.setIfAbsent("standing", s(Subscription.Standing.ACTIVE.name()));
        e.setIfAbsent("status", s("active"));
        if (customerId != null) {
            e.setIfAbsent("customerId", s(customerId));
        }
        e.setIfAbsent("plan", s(plan));
        e.setIfAbsent("nodeLimit", n(nodeLimit));
        e.set("schedule", s(SCHEDULED));
        e.set("dueAt", s(now));
        update(subscriptionId, e, null);
        return false;
    }

    /**
     * The common case, a subscription nothing was recorded of: one conditional write of an active
     * subscription with no check scheduled, since a new subscription's nodes owe nothing yet. When an
     * event overtook the checkout (the item exists) it writes nothing and the caller merges instead.
     */
    private boolean recordNew(String subscriptionId, String userId, String customerId, String plan, int nodeLimit, String now) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("subscriptionId", s(subscriptionId));
        item.put("userId", s(userId));
        item.put("updatedAt", s(now));
        item.put("createdAt", s(now));
        item.put("standing", s(Subscription.Standing.ACTIVE.name()));
        item.put("status", s("active"));
        if (customerId != null) {
            item.put("customerId", s(customerId));
        }
        item.put("plan", s(plan));
        item.put("nodeLimit", n(nodeLimit));
        try {
            dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(subscriptionId)"));
            return true;
        } catch (ConditionalCheckFailedException recorded) {
            return false;
        }
    }

    /** A user's subscriptions, newest first: one Query on the user index. */
    public List<Subscription> byUser(String userId) {
        return dynamo.queryPaginator(QueryRequest.builder().tableName(table).indexName(Tables.SUBSCRIPTIONS_BY_USER)
                        .keyConditionExpression("userId = :u")
                        .expressionAttributeValues(Map.of(":u", s(userId)))
                        .scanIndexForward(false)
                        .build())
                .items().stream().map(Subscription::from).toList();
    }


    /** The user's Stripe customer (from their newest subscription that names one), for the billing portal. */
    public Optional<String> customerOf(String userId) {
        return byUser(userId).stream().map(Subscription::customerId).filter(c -> c != null && !c.isEmpty()).findFirst();
    }

    /** Subscriptions whose next check is due, oldest deadline first. */
    public List<String> due(int limit) {
        QueryResponse page = dynamo.query(b -> b.tableName(table).indexName(Tables.SUBSCRIPTIONS_DUE)
                .keyConditionExpression("#schedule = :scheduled AND dueAt <= :now")
                .expressionAttributeNames(Map.of("#schedule", "schedule"))
                .expressionAttributeValues(Map.of(":scheduled", s(SCHEDULED), ":now", s(clock.instant().toString())))
                .limit(limit));
        return page.items().stream().map(item -> Items.text(item, "subscriptionId")).toList();
    }

    /**
     * Takes the subscription for a check, so two replicas never act on one subscription at once;
     * null when another worker holds it.
     */
    public Subscription claim(String subscriptionId) {
        long now = clock.millis();
        try {
            return Subscription.from(dynamo.updateItem(b -> b.tableName(table).key(key(subscriptionId))
                    .updateExpression("SET leaseOwner = :me, leaseUntil = :until")
                    .conditionExpression("attribute_exists(subscriptionId)"
                            + " AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now OR leaseOwner = :me)")
                    .expressionAttributeValues(Map.of(":me", s(owner), ":now", n(now), ":until", n(now + lease.toMillis())))
                    .returnValues(ReturnValue.ALL_NEW)).attributes());
        } catch (ConditionalCheckFailedException busy) {
            return null;
        }
    }

    /**
     * Sets the next check ({@code null}: none needed) and gives the lease up. The schedule is only
     * written when no event landed since {@code seen} was read: that event's own check comes first.
     */
    public void reschedule(Subscription seen, Instant next) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":me", s(owner));
        values.put(":seen", s(seen.updatedAt()));
        String expression;
        if (next == null) {
            expression = "REMOVE #schedule, dueAt, leaseUntil";
        } else {
            values.put(":scheduled", s(SCHEDULED));
            values.put(":due", s(next.toString()));
            expression = "SET #schedule = :scheduled, dueAt = :due REMOVE leaseUntil";
        }
        try {
            dynamo.updateItem(b -> b.tableName(table).key(key(seen.subscriptionId()))
                    .updateExpression(expression)
                    .conditionExpression("updatedAt = :seen AND leaseOwner = :me")
                    .expressionAttributeNames(Map.of("#schedule", "schedule"))
                    .expressionAttributeValues(values));
        } catch (ConditionalCheckFailedException changed) {
            release(seen.subscriptionId());
        }
    }

    private void release(String subscriptionId) {
        try {
            dynamo.updateItem(b -> b.tableName(table).key(key(subscriptionId))
                    .updateExpression("REMOVE leaseUntil")
                    .conditionExpression("leaseOwner = :me")
                    .expressionAttributeValues(Map.of(":me", s(owner))));
        } catch (ConditionalCheckFailedException notOurs) {
            // Another worker holds it now.
        }
    }

    private boolean update(String subscriptionId, Expression e, String condition) {
        try {
            dynamo.updateItem(b -> {
                b.tableName(table).key(key(subscriptionId))
                        .updateExpression(e.expression())
                        .expressionAttributeNames(e.names)
                        .expressionAttributeValues(e.values);
                if (condition != null) {
                    b.conditionExpression(condition);
                }
            });
            return true;
        } catch (ConditionalCheckFailedException staleOrEnded) {
            return false;
        }
    }

    private static Map<String, AttributeValue> key(String subscriptionId) {
        return Map.of("subscriptionId", s(subscriptionId));
    }

    /** An update expression with every attribute name aliased (several are DynamoDB reserved words). */
    private static final class Expression {
        final Map<String, String> names = new HashMap<>();
        final Map<String, AttributeValue> values = new HashMap<>();
        final StringJoiner set = new StringJoiner(", ", "SET ", "");
        final StringJoiner remove = new StringJoiner(", ", " REMOVE ", "").setEmptyValue("");
        int i;

        void set(String name, AttributeValue value) {
            set.add(alias(name) + " = " + value(value));
        }

        void setIfPresent(String name, String value) {
            if (value != null && !value.isEmpty()) {
                set(name, s(value));
            }
        }

        void setIfAbsent(String name, AttributeValue value) {
            String alias = alias(name);
            set.add(alias + " = if_not_exists(" + alias + ", " + value(value) + ")");
        }

        void remove(String name) {
            remove.add(alias(name));
        }

        void value(String placeholder, AttributeValue value) {
            values.put(placeholder, value);
        }

        String alias(String name) {
            String alias = "#" + name;
            names.put(alias, name);
            return alias;
        }

        String value(AttributeValue value) {
            String placeholder = ":v" + i++;
            values.put(placeholder, value);
            return placeholder;
        }

        String expression() {
            return set.toString() + remove;
        }
    }
}
