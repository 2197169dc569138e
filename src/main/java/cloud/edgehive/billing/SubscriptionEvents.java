package cloud.edgehive.billing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import cloud.edgehive.store.StoredEvent;
import cloud.edgehive.store.Subscription.Standing;
import cloud.edgehive.store.SubscriptionChange;
import cloud.edgehive.store.SubscriptionStore;

/**
 * Reads what a Stripe event says about a subscription and records it. Events arrive out of order
 * and more than once, so each is reduced to a standing stamped with the event's creation time, and
 * the store applies it only when nothing newer was applied. (Re-fetching the subscription from
 * Stripe would also do; stripe-mock answers fixtures, so the timestamps are what the tests can prove.)
 */
public class SubscriptionEvents {

    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionEvents.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Plans plans;
    private final SubscriptionStore subscriptions;
    private final String defaultPlan;

    public SubscriptionEvents(Plans plans, SubscriptionStore subscriptions, String defaultPlan) {
        this.plans = plans;
        this.subscriptions = subscriptions;
        this.defaultPlan = defaultPlan;
    }

    /** Records an invoice or subscription event; the subscription id to check, or null when it concerns none. */
    public String apply(@Variable("event") StoredEvent event) {
        SubscriptionChange change = change(event);
        if (change == null) {
            LOG.debug("Event {} ({}) concerns no subscription this service tracks", event.eventId(), event.type());
            return null;
        }
        if (!subscriptions.apply(change)) {
            LOG.info("Event {} ({}) is older than what subscription {} already reflects, or it ended: no change",
                    event.eventId(), event.type(), change.subscriptionId());
        }
        return change.subscriptionId();
    }

    /**
     * Records the subscription a completed Checkout session started; its id when its nodes must be
     * checked now (an event about it came first), or null for a new subscription and other sessions.
     */
    public String checkout(@Variable("event") StoredEvent event) {
        JsonNode session = parse(event).path("data").path("object");
        String subscriptionId = id(session.get("subscription"));
        String userId = text(session, "client_reference_id");
        if (subscriptionId == null || userId == null || "unpaid".equals(text(session, "payment_status"))) {
            return null;
        }
        JsonNode metadata = session.path("metadata");
        String plan = text(metadata, "plan") != null ? text(metadata, "plan") : defaultPlan;
        Integer limit = number(metadata, "nodeLimit");
        boolean fresh = subscriptions.recordCheckout(subscriptionId, userId, id(session.get("customer")), plan,
                limit != null ? limit : plans.nodeLimit(plan));
        // A new subscription is active and its nodes were just checked against the plan: nothing to enforce.
        return fresh ? null : subscriptionId;
    }

    SubscriptionChange change(StoredEvent event) {
        JsonNode object = parse(event).path("data").path("object");
        Instant at = Instant.ofEpochSecond(event.created());
        return switch (event.type()) {
            case "invoice.paid" -> fromInvoice(event, object, at, Standing.ACTIVE, "active", true);
            case "invoice.payment_failed" -> fromInvoice(event, object, at, Standing.PAST_DUE, "past_due", false);
            case "customer.subscription.updated", "customer.subscription.created" -> fromSubscription(event, object, at);
            case "customer.subscription.deleted" -> new SubscriptionChange(text(object, "id"), text(object.path("metadata"), "userId"),
                    id(object.get("customer")), null, null, "canceled", Standing.CANCELED, endedAt(object, at), event.eventId(), false);
            default -> null;
        };
    }

    private SubscriptionChange fromInvoice(StoredEvent event, JsonNode invoice, Instant at, Standing standing, String status,
                                           boolean paid) {
        // Until API 2025-03-31 the invoice names its subscription directly; since, under parent.subscription_details.
        JsonNode details = invoice.path("parent").path("subscription_details");
        String subscriptionId = id(details.get("subscription"));
        JsonNode metadata = details.path("metadata");
        if (subscriptionId == null) {
            subscriptionId = id(invoice.get("subscription"));
            metadata = invoice.path("subscription_details").path("metadata");
        }
        if (subscriptionId == null) {
            return null;
        }
        return new SubscriptionChange(subscriptionId, text(metadata, "userId"), id(invoice.get("customer")), null, null,
                status, standing, at, event.eventId(), paid);
    }

    private SubscriptionChange fromSubscription(StoredEvent event, JsonNode subscription, Instant at) {
        String status = text(subscription, "status");
        Standing standing = switch (status == null ? "" : status) {
            case "active", "trialing" -> Standing.ACTIVE;
            case "past_due", "unpaid", "paused" -> Standing.PAST_DUE;
            case "canceled", "incomplete_expired" -> Standing.CANCELED;
            // incomplete: the first payment is still being made; Checkout completion starts the nodes.
            default -> null;
        };
        if (standing == null) {
            return null;
        }
        JsonNode metadata = subscription.path("metadata");
        String priceId = text(subscription.path("items").path("data").path(0).path("price"), "id");
        Plan plan = priceId == null ? null : plans.byPriceId(priceId).orElse(null);
        if (priceId != null && plan == null) {
            LOG.warn("Subscription {} uses price {}, which no plan lists: its node limit is unchanged", text(subscription, "id"), priceId);
        }
        Integer contractLimit = number(metadata, "nodeLimit");
        Integer limit = plan == null ? null : plan.selfServe() || contractLimit == null ? Integer.valueOf(plan.nodeLimit()) : contractLimit;
        return new SubscriptionChange(text(subscription, "id"), text(metadata, "userId"), id(subscription.get("customer")),
                plan == null ? null : plan.name(), limit, status, standing, at, event.eventId(), false);
    }

    private static Instant endedAt(JsonNode subscription, Instant fallback) {
        long ended = subscription.path("ended_at").asLong(0);
        return ended > 0 ? Instant.ofEpochSecond(ended) : fallback;
    }

    /** An id that Stripe sends either as a string or, when expanded, as an object with an id. */
    private static String id(JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        return value.isTextual() ? value.asText() : text(value, "id");
    }

    private static Integer number(JsonNode node, String field) {
        String text = text(node, field);
        return text != null && text.matches("\\d{1,9}") ? Integer.valueOf(text) : null;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value != null && value.isTextual() && !value.asText().isBlank() ? value.asText() : null;
    }

    private static JsonNode parse(StoredEvent event) {
        try {
            return JSON.readTree(event.payload());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
