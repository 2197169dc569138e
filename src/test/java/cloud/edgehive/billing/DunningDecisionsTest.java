package cloud.edgehive.billing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import cloud.edgehive.billing.BillingAction.Operation;
import cloud.edgehive.harness.TestNodes;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeState;
import cloud.edgehive.store.Subscription;
import cloud.edgehive.store.Subscription.Standing;

/**
 * The dunning ladder's decisions from a subscription's standing and its nodes at a given time: each
 * rung starts exactly at its deadline, each email is owed once per cycle, and a standing already
 * recorded is not recorded again.
 */
class DunningDecisionsTest {

    private static final Instant T0 = Instant.parse("2030-03-01T10:00:00Z");
    /** When the fixtures' subscriptions were last updated: after the payment failed. */
    private static final Instant UPDATED = T0.plus(Duration.ofHours(5));
    private static final Duration SUSPEND_AFTER = Duration.ofDays(3);
    private static final Duration TERMINATE_AFTER = Duration.ofDays(7);
    private static final Duration CANCEL_GRACE = Duration.ofDays(2);
    private static final Duration OVER_LIMIT_GRACE = Duration.ofDays(1);

    private final Plans plans = new Plans(List.of(
            new Plan("pro", "price_pro", 1, List.of("us-east-1"), List.of("t4g.small"), List.of(10), true, null),
            new Plan("team", "price_team", 2, List.of("us-east-1"), List.of("t4g.small"), List.of(10), true, null)));
    private final Dunning dunning = new Dunning(null, null, plans, null,
            new Dunning.Ladder(SUSPEND_AFTER, TERMINATE_AFTER, CANCEL_GRACE, OVER_LIMIT_GRACE), null);

    // ---- past due

    @Test
    void aFailedPaymentWarnsOnceAndNamesTheDeadlines() {
        Instant suspendAt = T0.plus(SUSPEND_AFTER);
        Instant terminateAt = suspendAt.plus(TERMINATE_AFTER);
        List<BillingAction> actions = dunning.plan(pastDue(T0), List.of(node("n-0", NodeState.READY)), suspendAt.minusSeconds(1));
        assertEquals(1, actions.size());
        BillingAction warn = actions.get(0);
        assertEquals("n-0", warn.nodeId());
        assertEquals(Operation.NONE, warn.operation());
        assertNull(warn.reason());
        assertEquals(Dunning.PAYMENT_FAILED_MAIL, warn.mailKind());
        assertEquals(Dunning.PAYMENT_FAILED_MAIL + ":" + T0, warn.mailKey());
        assertEquals(Map.of("since", "2030-03-01 10:00 UTC", "suspendAt", "2030-03-04 10:00 UTC", "terminateAt", "2030-03-11 10:00 UTC"),
                warn.mailValues());
        assertEquals(pastDueBilling(T0), warn.billing());
        assertEquals("payment failed: suspended on 2030-03-04 10:00 UTC unless paid", warn.note());

        Node warned = node("n-0", NodeState.READY, pastDueBilling(T0), Map.of(warn.mailKey(), "sent"));
        assertEquals(List.of(), dunning.plan(pastDue(T0), List.of(warned), suspendAt.minusSeconds(1)), "warned and recorded: nothing owed");
        BillingAction recordOnly = dunning.plan(pastDue(T0), List.of(node("n-0", NodeState.READY, Map.of(), Map.of(warn.mailKey(), "sent"))),
                T0).get(0);
        assertNull(recordOnly.mailKind(), "the email went already; only the standing is owed");
        BillingAction mailOnly = dunning.plan(pastDue(T0), List.of(node("n-0", NodeState.READY, pastDueBilling(T0), Map.of())), T0).get(0);
        assertEquals(Dunning.PAYMENT_FAILED_MAIL, mailOnly.mailKind());
        assertEquals(terminateAt, Instant.parse(warn.billing().get("terminateAt")));
    }

    @Test
    void suspensionStartsExactlyAtItsDeadline() {
        Instant suspendAt = T0.plus(SUSPEND_AFTER);
        BillingAction suspend = dunning.plan(pastDue(T0), List.of(node("n-0", NodeState.READY)), suspendAt).get(0);
        assertEquals(Operation.SUSPEND, suspend.operation());
        assertEquals("payment overdue since 2030-03-01 10:00 UTC", suspend.reason());
        assertEquals(Dunning.SUSPENDED_MAIL, suspend.mailKind());
        assertEquals(Dunning.SUSPENDED_MAIL + ":" + T0, suspend.mailKey());
        assertEquals("payment overdue: suspended, terminated on 2030-03-11 10:00 UTC", suspend.note());
        assertEquals(pastDueBilling(T0), suspend.billing());

        Node suspended = node("n-0", NodeState.SUSPENDED, pastDueBilling(T0), Map.of(suspend.mailKey(), "sent"));
        assertEquals(List.of(), dunning.plan(pastDue(T0), List.of(suspended), suspendAt.plusSeconds(60)), "already suspended");
        BillingAction mailStill = dunning.plan(pastDue(T0), List.of(node("n-0", NodeState.SUSPENDED, pastDueBilling(T0), Map.of())),
                suspendAt).get(0);
        assertEquals(Operation.NONE, mailStill.operation());
        assertEquals(Dunning.SUSPENDED_MAIL, mailStill.mailKind());

        BillingAction waiting = dunning.plan(pastDue(T0), List.of(node("n-0", NodeState.RESTARTING)), suspendAt).get(0);
        assertEquals(Operation.NONE, waiting.operation());
        assertNull(waiting.mailKind(), "a node in transition is waited for, not emailed");
        assertNull(waiting.billing(), "nor recorded");
    }

    @Test
    void anOperationIsOwedEvenWhenItsEmailWentAndItsStandingIsRecorded() {
        Instant suspendAt = T0.plus(SUSPEND_AFTER);
        Node notifiedButRunning = node("n-0", NodeState.READY, pastDueBilling(T0), Map.of(Dunning.SUSPENDED_MAIL + ":" + T0, "sent"));
        BillingAction suspend = dunning.plan(pastDue(T0), List.of(notifiedButRunning), suspendAt).get(0);
        assertEquals(Operation.SUSPEND, suspend.operation(), "a suspension that did not land is retried");
        assertEquals(Dunning.SUSPENDED_MAIL, suspend.mailKind(), "settle decides whether the email still goes");

        Node resumedMailSent = node("n-0", NodeState.SUSPENDED, pastDueBilling(T0), Map.of(Dunning.RESUMED_MAIL + ":" + T0, "sent"));
        assertEquals(Operation.RESUME, dunning.plan(active(null, null), List.of(resumedMailSent), T0).get(0).operation());
    }

    @Test
    void onlyWhatNonPaymentDidIsUndoneByAPayment() {
        assertEquals(List.of(), dunning.plan(active(null, null), List.of(node("n-0", NodeState.SUSPENDED)), T0),
                "suspended for another reason: not resumed by a payment");
        assertEquals(List.of(), dunning.plan(active(null, null), List.of(node("n-0", NodeState.LAUNCHING)), T0),
                "a node in transition that owes nothing is left alone");
        assertEquals(List.of(), dunning.plan(active(null, null), List.of(node("n-0", NodeState.READY)), T0));
    }

    @Test
    void terminationStartsExactlyAtItsDeadline() {
        Instant terminateAt = T0.plus(SUSPEND_AFTER).plus(TERMINATE_AFTER);
        Node suspended = node("n-0", NodeState.SUSPENDED, pastDueBilling(T0), Map.of(Dunning.SUSPENDED_MAIL + ":" + T0, "sent"));
        assertEquals(List.of(), dunning.plan(pastDue(T0), List.of(suspended), terminateAt.minusSeconds(1)));
        BillingAction terminate = dunning.plan(pastDue(T0), List.of(suspended), terminateAt).get(0);
        assertEquals(Operation.TERMINATE, terminate.operation());
        assertEquals("unpaid since 2030-03-01 10:00 UTC", terminate.reason());
        assertNull(terminate.mailKind());
        assertNull(terminate.billing());
    }

    @Test
    void aPastDueSubscriptionWithoutItsDateCountsFromItsLastUpdate() {
        Subscription undated = subscription(Standing.PAST_DUE, null, null, null, null);
        BillingAction warn = dunning.plan(undated, List.of(node("n-0", NodeState.READY)), UPDATED.plusSeconds(5)).get(0);
        assertEquals(Dunning.PAYMENT_FAILED_MAIL + ":" + UPDATED, warn.mailKey());
    }

    // ---- canceled

    @Test
    void aCanceledSubscriptionWarnsThenTerminatesAfterTheGrace() {
        Subscription canceled = subscription(Standing.CANCELED, null, T0, null, null);
        BillingAction warn = dunning.plan(canceled, List.of(node("n-0", NodeState.READY)), T0.plus(CANCEL_GRACE).minusSeconds(1)).get(0);
        assertEquals(Operation.NONE, warn.operation());
        assertEquals(Dunning.CANCELED_MAIL, warn.mailKind());
        assertEquals(Dunning.CANCELED_MAIL + ":" + T0, warn.mailKey());
        assertEquals(Map.of("since", "2030-03-01 10:00 UTC", "terminateAt", "2030-03-03 10:00 UTC"), warn.mailValues());
        assertEquals(Map.of("status", "canceled", "canceledAt", T0.toString(), "terminateAt", T0.plus(CANCEL_GRACE).toString()),
                warn.billing());
        assertEquals("subscription ended: terminated on 2030-03-03 10:00 UTC", warn.note());
        BillingAction end = dunning.plan(canceled, List.of(node("n-0", NodeState.SUSPENDED)), T0.plus(CANCEL_GRACE)).get(0);
        assertEquals(Operation.TERMINATE, end.operation());
        assertEquals("subscription ended 2030-03-01 10:00 UTC", end.reason());

        Subscription undated = subscription(Standing.CANCELED, null, null, null, null);
        Instant now = T0.plus(Duration.ofDays(30));
        assertEquals(Operation.NONE, dunning.plan(undated, List.of(node("n-0", NodeState.READY)), now).get(0).operation(),
                "no cancellation date: the grace starts now");
    }

    // ---- active

    @Test
    void paymentResumesWhatNonPaymentSuspended() {
        Node suspended = node("n-0", NodeState.SUSPENDED, pastDueBilling(T0), Map.of());
        BillingAction resume = dunning.plan(active(null, null), List.of(suspended), T0.plus(Duration.ofDays(4))).get(0);
        assertEquals(Operation.RESUME, resume.operation());
        assertEquals("payment received", resume.reason());
        assertEquals(Dunning.RESUMED_MAIL, resume.mailKind());
        assertEquals(Dunning.RESUMED_MAIL + ":" + T0, resume.mailKey());
        assertEquals(Map.of("status", "active"), resume.billing());
        assertEquals("payment received", resume.note());

        BillingAction waiting = dunning.plan(active(null, null), List.of(node("n-0", NodeState.SUSPENDING, pastDueBilling(T0), Map.of())),
                T0).get(0);
        assertEquals(Operation.NONE, waiting.operation());
        assertNull(waiting.billing(), "wait for the node to settle before recording anything");

        BillingAction warnedOnly = dunning.plan(active(null, null), List.of(node("n-0", NodeState.READY, pastDueBilling(T0), Map.of())),
                T0).get(0);
        assertEquals(Operation.NONE, warnedOnly.operation());
        assertNull(warnedOnly.mailKind());
        assertEquals(Map.of("status", "active"), warnedOnly.billing());
        assertEquals("payment received", warnedOnly.note());

        BillingAction backWithin = dunning.plan(active(null, null), List.of(node("n-0", NodeState.READY,
                Map.of("status", "over_limit"), Map.of())), T0).get(0);
        assertEquals("within the plan's limit again", backWithin.note());

        assertEquals(List.of(), dunning.plan(active(null, null), List.of(node("n-0", NodeState.READY, Map.of("status", "active"), Map.of()),
                node("n-1", NodeState.READY)), T0), "paid up, nothing recorded against them: nothing to do");
    }

    @Test
    void nodesAboveALoweredLimitAreWarnedThenTerminatedNewestFirst() {
        Subscription lowered = active(1, T0);
        List<Node> owned = List.of(node("n-0", NodeState.READY), node("n-1", NodeState.READY));
        List<BillingAction> actions = dunning.plan(lowered, owned, T0);
        assertEquals(1, actions.size(), "the oldest node keeps its place");
        BillingAction warn = actions.get(0);
        assertEquals("n-1", warn.nodeId());
        assertEquals(Dunning.OVER_LIMIT_MAIL, warn.mailKind());
        assertEquals(Dunning.OVER_LIMIT_MAIL + ":" + T0, warn.mailKey());
        assertEquals("1", warn.mailValues().get("nodeLimit"));
        assertEquals(Map.of("status", "over_limit", "overLimitSince", T0.toString(), "terminateAt", T0.plus(OVER_LIMIT_GRACE).toString()),
                warn.billing());
        assertEquals("over the plan's limit of 1: terminated on 2030-03-02 10:00 UTC", warn.note());

        Map<String, String> flagged = new LinkedHashMap<>(warn.billing());
        List<Node> later = List.of(node("n-0", NodeState.READY), node("n-1", NodeState.READY, flagged, Map.of(warn.mailKey(), "sent")));
        assertEquals(List.of(), dunning.plan(lowered, later, T0.plus(OVER_LIMIT_GRACE).minusSeconds(1)));
        BillingAction terminate = dunning.plan(lowered, later, T0.plus(OVER_LIMIT_GRACE)).get(0);
        assertEquals(Operation.TERMINATE, terminate.operation());
        assertEquals("n-1", terminate.nodeId());
        assertEquals("over the plan's limit of 1 node", terminate.reason());

        List<Node> three = List.of(node("n-0", NodeState.READY), node("n-1", NodeState.READY), node("n-2", NodeState.READY,
                Map.of("status", "over_limit", "overLimitSince", T0.toString()), Map.of()));
        BillingAction third = dunning.plan(active(2, T0), three, T0.plus(OVER_LIMIT_GRACE)).get(0);
        assertEquals("over the plan's limit of 2 nodes", third.reason());
    }

    @Test
    void theLimitIsTheSubscriptionsElseThePlansAndOnlyAPlanChangeEnforcesIt() {
        List<Node> two = List.of(node("n-0", NodeState.READY), node("n-1", NodeState.READY));
        assertEquals(List.of(), dunning.plan(active(null, null), two, T0), "no plan change: purchases were checked already");
        assertEquals(1, dunning.plan(active(null, T0), two, T0).size(), "pro allows one");
        assertEquals(List.of(), dunning.plan(withPlan("team", null, T0), two, T0), "team allows two");
        assertEquals(List.of(), dunning.plan(active(2, T0), two, T0), "a contract's own limit wins over the plan's");
    }

    @Test
    void everyStandingIsHandled() {
        for (Standing standing : Standing.values()) {
            dunning.plan(subscription(standing, T0, T0, null, null), List.of(), T0);
        }
        assertThrows(NullPointerException.class, () -> dunning.plan(subscription(null, T0, T0, null, null), List.of(), T0));
    }

    // ---- fixtures

    private static Map<String, String> pastDueBilling(Instant since) {
        Instant suspendAt = since.plus(SUSPEND_AFTER);
        Map<String, String> billing = new LinkedHashMap<>();
        billing.put("status", "past_due");
        billing.put("pastDueSince", since.toString());
        billing.put("suspendAt", suspendAt.toString());
        billing.put("terminateAt", suspendAt.plus(TERMINATE_AFTER).toString());
        return billing;
    }

    private static Node node(String id, NodeState state) {
        return node(id, state, Map.of(), Map.of());
    }

    private static Node node(String id, NodeState state, Map<String, String> billing, Map<String, String> notified) {
        return TestNodes.node(id, state, "2030-02-01T00:00:0" + id.charAt(id.length() - 1) + "Z", billing, notified);
    }

    private static Subscription pastDue(Instant since) {
        return subscription(Standing.PAST_DUE, since, null, null, null);
    }

    private static Subscription active(Integer nodeLimit, Instant planChangedAt) {
        return subscription(Standing.ACTIVE, null, null, nodeLimit, planChangedAt);
    }

    private static Subscription withPlan(String plan, Integer nodeLimit, Instant planChangedAt) {
        return new Subscription("sub_1", "ada", "cus_1", plan, nodeLimit, "active", Standing.ACTIVE, null, null, null, planChangedAt,
                0, T0.toString(), T0.toString(), null);
    }

    private static Subscription subscription(Standing standing, Instant pastDueSince, Instant canceledAt, Integer nodeLimit,
                                             Instant planChangedAt) {
        return new Subscription("sub_1", "ada", "cus_1", "pro", nodeLimit, "x", standing, pastDueSince, canceledAt, null, planChangedAt,
                0, T0.toString(), UPDATED.toString(), null);
    }
}
