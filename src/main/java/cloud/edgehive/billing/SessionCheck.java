package cloud.edgehive.billing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.stripe.exception.StripeException;

import cloud.edgehive.store.StoredEvent;

/**
 * Decides whether a completed Checkout session is one this service's plans could have produced
 * before it provisions anything. Every paid session on the Stripe account arrives on the webhook
 * (Payment Links, invoices of other products, sessions made by hand), so only a session that
 * {@code StripeBilling} could have created is accepted: {@code mode=subscription} with a
 * subscription, a plan on sale in its metadata, a node count
 * within the plan's limit (the contract's for a plan sold by an admin), a node shape the plan offers,
 * and, when a Stripe key is configured, the plan's price among the session's line items as Stripe
 * records them. Anything else is acknowledged like any event and leaves a WARN with the session id.
 */
public class SessionCheck {

    private static final Logger LOG = LoggerFactory.getLogger(SessionCheck.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a session's metadata may leave out (as {@link CheckoutSessions} fills it in). */
    public record Defaults(String region, String instanceType, int storageGb) {
    }

    private final Plans plans;
    private final StripeBilling stripe;
    private final Defaults defaults;

    public SessionCheck(Plans plans, StripeBilling stripe, Defaults defaults) {
        this.plans = plans;
        this.stripe = stripe;
        this.defaults = defaults;
    }

    /** True when the event's session may provision; false (and a WARN naming the session) otherwise. */
    public boolean accept(@Variable("event") StoredEvent event) throws StripeException {
        JsonNode session = parse(event.payload()).path("data").path("object");
        String sessionId = text(session, "id");
        List<String> problems = problems(session);
        if (problems.isEmpty() && stripe != null && stripe.configured()) {
            Plan plan = plans.find(text(session.path("metadata"), "plan")).orElseThrow();
            List<String> prices = stripe.sessionPriceIds(sessionId);
            if (plan.priceId() == null || !prices.contains(plan.priceId())) {
                problems.add("Stripe charges " + prices + " for it, not the " + plan.name() + " plan's price " + plan.priceId());
            }
        }
        if (problems.isEmpty()) {
            return true;
        }
        LOG.warn("Checkout session {} (event {}) provisions nothing: {}", sessionId, event.eventId(), String.join("; ", problems));
        return false;
    }

    /** Everything the session's own fields get wrong, without asking Stripe. */
    List<String> problems(JsonNode session) {
        List<String> problems = new ArrayList<>();
        if (!"subscription".equals(text(session, "mode"))) {
            problems.add("mode is " + text(session, "mode") + ", not subscription");
        }
        JsonNode subscription = session.path("subscription");
        if (!(subscription.isTextual() && !subscription.asText().isBlank()) && text(subscription, "id") == null) {
            problems.add("it has no subscription");
        }
        JsonNode metadata = session.path("metadata");
        String planName = text(metadata, "plan");
        Plan plan = plans.find(planName).orElse(null);
        if (plan == null) {
            problems.add(planName == null ? "its metadata names no plan" : "plan '" + planName + "' is not on sale");
            return problems;
        }
        int limit = plan.nodeLimit();
        if (!plan.selfServe() && metadata.has("nodeLimit")) {
            Integer contract = whole(metadata, "nodeLimit");
            if (contract == null || contract < 1) {
                problems.add("nodeLimit is not a whole number of nodes");
            } else {
                limit = contract;
            }
        }
        Integer count = metadata.has("nodeCount") ? whole(metadata, "nodeCount") : Integer.valueOf(1);
        if (count == null || count < 1 || count > limit) {
            problems.add("nodeCount " + text(metadata, "nodeCount") + " is outside 1.." + limit + " for the " + plan.name() + " plan");
        }
        Integer storage = metadata.has("storageGb") ? whole(metadata, "storageGb") : Integer.valueOf(defaults.storageGb());
        if (storage == null) {
            problems.add("storageGb " + text(metadata, "storageGb") + " is not a whole number");
            return problems;
        }
        String region = text(metadata, "region");
        String type = text(metadata, "instanceType");
        problems.addAll(plan.unoffered(region == null ? defaults.region() : region, type == null ? defaults.instanceType() : type, storage));
        return problems;
    }

    /** Stripe metadata values are strings; a number is accepted too. */
    private static Integer whole(JsonNode node, String field) {
        JsonNode value = node.path(field);
        String text = value.isNumber() ? value.asText() : value.isTextual() ? value.asText().trim() : "";
        return text.matches("\\d{1,9}") ? Integer.valueOf(text) : null;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isTextual() && !value.asText().isBlank() ? value.asText() : null;
    }

    private static JsonNode parse(String payload) {
        try {
            return JSON.readTree(payload);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
