package cloud.edgehive.billing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.Variable;

import cloud.edgehive.billing.BillingAction.Operation;
import cloud.edgehive.mail.MailMessage;
import cloud.edgehive.mail.NodeMail;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeState;
import cloud.edgehive.store.NodeStore;
import cloud.edgehive.store.Subscription;
import cloud.edgehive.store.SubscriptionStore;

/**
 * Decides what a subscription's nodes need at the current time (the injectable clock), from the
 * subscription's standing alone, so that deciding again is always safe:
 * <ul>
 * <li>past due: warn; after {@code suspendAfter} suspend (instance stopped, disk kept); after
 * {@code terminateAfter} more, terminate;</li>
 * <li>canceled: warn; terminate after {@code cancelGrace};</li>
 * <li>active: resume what non-payment suspended; flag the newest nodes above the plan's limit and
 * terminate them after {@code overLimitGrace} unless the limit rises again.</li>
 * </ul>
 * The routes carry out the actions; {@link #settle} then records each step on the node.
 */
public class Dunning {

    public static final String PAYMENT_FAILED_MAIL = "payment-failed";
    public static final String SUSPENDED_MAIL = "node-suspended";
    public static final String RESUMED_MAIL = "node-resumed";
    public static final String CANCELED_MAIL = "subscription-canceled";
    public static final String OVER_LIMIT_MAIL = "node-over-limit";

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    /** The ladder's timings, from {@code billing.*}. */
    public record Ladder(Duration suspendAfter, Duration terminateAfter, Duration cancelGrace, Duration overLimitGrace) {
    }

    private final SubscriptionStore subscriptions;
    private final NodeStore nodes;
    private final Plans plans;
    private final NodeMail mail;
    private final Ladder ladder;
    private final Clock clock;

    public Dunning(SubscriptionStore subscriptions, NodeStore nodes, Plans plans, NodeMail mail, Ladder ladder, Clock clock) {
        this.subscriptions = subscriptions;
        this.nodes = nodes;
        this.plans = plans;
        this.mail = mail;
        this.ladder = ladder;
        this.clock = clock;
    }

    /** What the claimed subscription's nodes need now. */
    public List<BillingAction> actions(@Variable("subscription") Subscription subscription) {
        return plan(subscription, nodesOf(subscription), clock.instant());
    }

    /**
     * After an action ran: records the node's billing standing when the operation landed, and returns
     * the email to send (null: none, or the operation did not land and the next check retries).
     */
    public MailMessage settle(@Variable("action") BillingAction action) {
        Node node = nodes.find(action.nodeId()).orElse(null);
        if (node == null || !landed(action, node)) {
            return null;
        }
        if (action.billing() != null && !action.billing().equals(node.billing())) {
            node = nodes.recordBilling(node, action.billing(), action.note());
        }
        if (action.mailKind() == null || node.wasNotified(action.mailKey()) || node.email() == null || node.email().isEmpty()) {
            return null;
        }
        // Two enforcements of one subscription can meet (the same news delivered twice at once): the
        // one that reserves the email sends it.
        if (!nodes.reserveNotification(node.nodeId(), action.mailKey())) {
            return null;
        }
        MailMessage message = mail.render(node, action.mailKind(), action.mailValues());
        // One Message-ID per email sent: a second dunning cycle must not look like a copy of the first.
        String messageId = "<" + action.mailKey().replaceAll("[^A-Za-z0-9.-]", "-") + "." + node.hostLabel()
                + message.messageId().substring(message.messageId().indexOf('@'));
        return new MailMessage(message.to(), message.from(), message.subject(), message.html(), message.text(), messageId);
    }

    /** Notes the action's email as sent, so the next check does not send it again. */
    public void mailed(@Variable("action") BillingAction action) {
        nodes.markNotified(action.nodeId(), action.mailKey());
    }

    /**
     * The subscription's next check: now if anything is still owed (an operation that could not run
     * yet), else its nodes' next deadline, else none; and gives the subscription's lease up.
     */
    public void reschedule(@Variable("subscription") Subscription claimed) {
        Subscription subscription = subscriptions.find(claimed.subscriptionId()).orElse(claimed);
        Instant now = clock.instant();
        List<Node> owned = nodesOf(subscription);
        Instant next = plan(subscription, owned, now).isEmpty() ? nextDeadline(owned, now) : now;
        subscriptions.reschedule(subscription, next);
    }

    List<BillingAction> plan(Subscription subscription, List<Node> owned, Instant now) {
        List<BillingAction> actions = new ArrayList<>();
        switch (subscription.standing()) {
            case PAST_DUE -> {
                Instant since = pastDueSince(subscription);
                Instant suspendAt = since.plus(ladder.suspendAfter());
                Instant terminateAt = suspendAt.plus(ladder.terminateAfter());
                Map<String, String> billing = billing("past_due", "pastDueSince", since, "suspendAt", suspendAt, "terminateAt", terminateAt);
                Map<String, String> values = values(since, suspendAt, terminateAt);
                String cycle = ":" + since;
                for (Node node : owned) {
                    if (!now.isBefore(terminateAt)) {
                        actions.add(terminate(node, "unpaid since " + DATE.format(since)));
                    } else if (!now.isBefore(suspendAt)) {
                        Operation op = node.state() == NodeState.READY ? Operation.SUSPEND : Operation.NONE;
                        add(actions, node, op, "payment overdue since " + DATE.format(since), SUSPENDED_MAIL, SUSPENDED_MAIL + cycle,
                                values, billing, "payment overdue: suspended, terminated on " + DATE.format(terminateAt),
                                op == Operation.NONE && node.state() != NodeState.SUSPENDED);
                    } else {
                        add(actions, node, Operation.NONE, null, PAYMENT_FAILED_MAIL, PAYMENT_FAILED_MAIL + cycle, values, billing,
                                "payment failed: suspended on " + DATE.format(suspendAt) + " unless paid", false);
                    }
                }
            }
            case CANCELED -> {
                Instant canceledAt = subscription.canceledAt() != null ? subscription.canceledAt() : now;
                Instant terminateAt = canceledAt.plus(ladder.cancelGrace());
                Map<String, String> billing = billing("canceled", "canceledAt", canceledAt, "terminateAt", terminateAt);
                for (Node node : owned) {
                    if (!now.isBefore(terminateAt)) {
                        actions.add(terminate(node, "subscription ended " + DATE.format(canceledAt)));
                    } else {
                        add(actions, node, Operation.NONE, null, CANCELED_MAIL, CANCELED_MAIL + ":" + canceledAt,
                                values(canceledAt, null, terminateAt), billing,
                                "subscription ended: terminated on " + DATE.format(terminateAt), false);
                    }
                }
            }
            case ACTIVE -> {
                int limit = subscription.nodeLimit() != null ? subscription.nodeLimit() : plans.nodeLimit(subscription.plan());
                for (int i = 0; i < owned.size(); i++) {
                    Node node = owned.get(i);
                    // Purchases were checked against the limit; only a later plan change can leave nodes above it.
                    if (subscription.planChangedAt() != null && i >= limit) {
                        Instant since = instant(node.billing().get("overLimitSince"), now);
                        Instant terminateAt = since.plus(ladder.overLimitGrace());
                        if (!now.isBefore(terminateAt)) {
                            actions.add(terminate(node, "over the plan's limit of " + limit + " node" + (limit == 1 ? "" : "s")));
                        } else {
                            Map<String, String> values = new LinkedHashMap<>(values(since, null, terminateAt));
                            values.put("nodeLimit", Integer.toString(limit));
                            add(actions, node, Operation.NONE, null, OVER_LIMIT_MAIL, OVER_LIMIT_MAIL + ":" + since, values,
                                    billing("over_limit", "overLimitSince", since, "terminateAt", terminateAt),
                                    "over the plan's limit of " + limit + ": terminated on " + DATE.format(terminateAt), false);
                        }
                        continue;
                    }
                    String status = node.billing().get("status");
                    boolean suspendedForPayment = "past_due".equals(status);
                    Map<String, String> active = billing("active");
                    if (suspendedForPayment && node.state() == NodeState.SUSPENDED) {
                        add(actions, node, Operation.RESUME, "payment received", RESUMED_MAIL,
                                RESUMED_MAIL + ":" + node.billing().get("pastDueSince"), Map.of(), active, "payment received", false);
                    } else if (suspendedForPayment && node.state().isUnsettled()) {
                        add(actions, node, Operation.NONE, null, null, null, Map.of(), active, "payment received", true);
                    } else if (status != null && !"active".equals(status)) {
                        add(actions, node, Operation.NONE, null, null, null, Map.of(), active,
                                suspendedForPayment ? "payment received" : "within the plan's limit again", false);
                    }
                }
            }
            default -> throw new IllegalStateException(subscription.standing().name());
        }
        return actions;
    }

    /** The subscription's nodes that can still be acted on, oldest first (the oldest keep their place under a limit). */
    private List<Node> nodesOf(Subscription subscription) {
        if (subscription.userId() == null) {
            return List.of();
        }
        return nodes.byUser(subscription.userId()).stream()
                .filter(n -> subscription.subscriptionId().equals(n.subscriptionId()))
                .filter(n -> !n.state().isFinal() && n.state() != NodeState.TERMINATING)
                .sorted(Comparator.comparing(Node::createdAt).thenComparing(Node::nodeId))
                .toList();
    }

    private static Instant nextDeadline(List<Node> owned, Instant now) {
        Instant next = null;
        for (Node node : owned) {
            for (String field : List.of("suspendAt", "terminateAt")) {
                Instant at = instant(node.billing().get(field), null);
                if (at != null && at.isAfter(now) && (next == null || at.isBefore(next))) {
                    next = at;
                }
            }
        }
        return next;
    }

    private static boolean landed(BillingAction action, Node node) {
        return switch (action.operation()) {
            case NONE -> true;
            case SUSPEND -> node.state() == NodeState.SUSPENDED;
            case RESUME -> node.state() == NodeState.READY;
            case TERMINATE -> node.state() == NodeState.TERMINATED;
        };
    }

    /**
     * Adds what the node still needs: the operation, an email not yet sent, a standing not yet
     * recorded, or (waiting) a node that must settle before anything can be done to it.
     */
    private static void add(List<BillingAction> actions, Node node, Operation op, String reason, String mailKind, String mailKey,
                            Map<String, String> values, Map<String, String> billing, String note, boolean waiting) {
        boolean mailOwed = mailKind != null && !node.wasNotified(mailKey) && !waiting;
        boolean recordOwed = !billing.equals(node.billing());
        if (op != Operation.NONE || mailOwed || recordOwed || waiting) {
            actions.add(new BillingAction(node.nodeId(), op, reason, mailOwed || op != Operation.NONE ? mailKind : null, mailKey,
                    values, waiting ? null : billing, note));
        }
    }

    private static BillingAction terminate(Node node, String reason) {
        return new BillingAction(node.nodeId(), Operation.TERMINATE, reason, null, null, Map.of(), null, null);
    }

    private static Instant pastDueSince(Subscription subscription) {
        return subscription.pastDueSince() != null ? subscription.pastDueSince() : Instant.parse(subscription.updatedAt());
    }

    private static Map<String, String> billing(String status, Object... fields) {
        Map<String, String> billing = new LinkedHashMap<>();
        billing.put("status", status);
        for (int i = 0; i < fields.length; i += 2) {
            billing.put((String) fields[i], fields[i + 1].toString());
        }
        return billing;
    }

    private static Map<String, String> values(Instant since, Instant suspendAt, Instant terminateAt) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("since", DATE.format(since));
        if (suspendAt != null) {
            values.put("suspendAt", DATE.format(suspendAt));
        }
        values.put("terminateAt", DATE.format(terminateAt));
        return values;
    }

    private static Instant instant(String text, Instant fallback) {
        return text == null ? fallback : Instant.parse(text);
    }
}
