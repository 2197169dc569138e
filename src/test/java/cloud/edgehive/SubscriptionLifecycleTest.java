package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;


import cloud.edgehive.harness.MutableClock;
import cloud.edgehive.harness.RunningService;
import cloud.edgehive.harness.StripeEvents;
import cloud.edgehive.harness.TestCloud;
import cloud.edgehive.store.EventStore;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeState;
import cloud.edgehive.store.Subscription;
import cloud.edgehive.store.SubscriptionStore;
import jakarta.mail.internet.MimeMessage;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * The subscription lifecycle against moto and GreenMail, driven by signed Stripe events and a clock
 * the test moves forward: dunning (warn, suspend, terminate), payment resuming a suspended node,
 * cancellation, a downgrade below the node count, and events out of order and twice.
 */
class SubscriptionLifecycleTest {

    private static final Duration SETTLE = Duration.ofSeconds(60);
    private static final Ec2Client EC2 = RunningService.ec2();

    private static final MutableClock CLOCK = new MutableClock();
    private static TestCloud cloud;
    private static RunningService service;

    @BeforeAll
    static void start() {
        cloud = TestCloud.fresh("subscription-test");
        Map<String, String> settings = new LinkedHashMap<>(cloud.config());
        settings.put("plans.pro.price-id", "price_pro_test");
        settings.put("plans.team.price-id", "price_team_test");
        settings.put("billing.suspend-after-days", "3");
        settings.put("billing.terminate-after-days", "14");
        settings.put("billing.cancel-grace-days", "7");
        settings.put("billing.over-limit-grace-days", "5");
        // The test runs every check itself, right after moving the clock.
        settings.put("billing.check-initial-delay-ms", "3600000");
        service = RunningService.start(settings, Map.of("clock", CLOCK));
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (cloud != null) {
            cloud.close();
        }
    }

    @Test
    void paymentFailedWarnsThenSuspendsAfterNDaysThenTerminatesAfterMMore() throws Exception {
        Node node = readyNode("dunning", "{\"plan\":\"pro\"}");
        // Stripe may deliver the same news twice at once (two event ids): one warning, not two.
        long failedAt = now();
        deliverConcurrently(StripeEvents.invoice("evt_dunning_failed", failedAt, "invoice.payment_failed", "sub_dunning", "dunning"),
                StripeEvents.invoice("evt_dunning_failed_again", failedAt, "invoice.payment_failed", "sub_dunning", "dunning"));
        Node warned = service.awaitNode(node.nodeId(), SETTLE, n -> "past_due".equals(n.billing().get("status")));
        assertEquals(NodeState.READY, warned.state());
        assertNotNull(warned.billing().get("suspendAt"), "the dashboard's countdown");
        assertEquals(Instant.parse(warned.billing().get("pastDueSince")).plus(Duration.ofDays(17)),
                Instant.parse(warned.billing().get("terminateAt")));
        awaitMails("dunning@example.com", "Payment failed", 1);
        // Both deliveries handled before the test clock jumps days ahead: a jump while the second is
        // in flight would make the first one's "sending" reservation look stale (older than a lease).
        EventStore events = service.bean("eventStore", EventStore.class);
        RunningService.await(SETTLE, () -> EventStore.PROCESSED.equals(events.status("evt_dunning_failed"))
                && EventStore.PROCESSED.equals(events.status("evt_dunning_failed_again")),
                () -> "both payment_failed deliveries processed");

        CLOCK.advance(Duration.ofDays(2));
        check();
        assertEquals(NodeState.READY, service.nodes().get(node.nodeId()).state(), "still in the grace period");

        CLOCK.advance(Duration.ofDays(1).plusMinutes(1));
        check();
        Node suspended = service.nodes().get(node.nodeId());
        assertEquals(NodeState.SUSPENDED, suspended.state());
        assertEquals("stopped", instanceState(node));
        awaitMails("dunning@example.com", "is suspended", 1);
        check();
        assertEquals(1, mails("dunning@example.com", "is suspended").size(), "a second check sends nothing again");

        // Terminated 17 days after the payment failed (3 + 14), not a moment before.
        CLOCK.advance(Duration.ofDays(14).minusMinutes(3));
        check();
        assertEquals(NodeState.SUSPENDED, service.nodes().get(node.nodeId()).state(), "minutes before the termination deadline");
        CLOCK.advance(Duration.ofMinutes(3));
        check();
        Node terminated = service.nodes().get(node.nodeId());
        assertEquals(NodeState.TERMINATED, terminated.state());
        assertEquals("terminated", instanceState(node));
        assertTrue(terminated.history().stream().anyMatch(h -> h.get("note").startsWith("termination: unpaid since")),
                terminated.history()::toString);
        awaitMails("dunning@example.com", "was terminated", 1);
        assertEquals(1, mails("dunning@example.com", "Payment failed").size());
    }

    @Test
    void payingWhileSuspendedResumesTheNode() throws Exception {
        Node node = readyNode("repaid", "{\"plan\":\"pro\"}");
        deliver(StripeEvents.invoice("evt_repaid_failed", now(), "invoice.payment_failed", "sub_repaid", "repaid"));
        CLOCK.advance(Duration.ofDays(3).plusMinutes(1));
        check();
        assertEquals(NodeState.SUSPENDED, service.nodes().get(node.nodeId()).state());

        // The older API shape: the invoice names its subscription itself.
        deliver(StripeEvents.legacyInvoice("evt_repaid_paid", now(), "invoice.paid", "sub_repaid", "repaid"));
        Node resumed = service.awaitNode(node.nodeId(), SETTLE, n -> n.state() == NodeState.READY
                && "active".equals(n.billing().get("status")));
        assertEquals("running", instanceState(node));
        awaitMails("repaid@example.com", "running again", 1);
        assertEquals(Subscription.Standing.ACTIVE, subscription("sub_repaid").standing());

        CLOCK.advance(Duration.ofDays(30));
        check();
        assertEquals(NodeState.READY, service.nodes().get(node.nodeId()).state(), "paid up: no deadline left");
        assertEquals(resumed.version(), service.nodes().get(node.nodeId()).version());
    }

    @Test
    void aDeletedSubscriptionIsTerminatedAfterTheGracePeriod() throws Exception {
        Node node = readyNode("canceled", "{\"plan\":\"pro\"}");
        deliver(StripeEvents.subscription("evt_canceled_deleted", now(), "customer.subscription.deleted", "sub_canceled", "canceled",
                "canceled", "price_pro_test"));
        service.awaitNode(node.nodeId(), SETTLE, n -> "canceled".equals(n.billing().get("status")));
        awaitMails("canceled@example.com", "subscription ended", 1);

        // A late update from before the cancellation cannot revive it.
        deliver(StripeEvents.subscription("evt_canceled_late", now() - 60, "customer.subscription.updated", "sub_canceled", "canceled",
                "active", "price_pro_test"));
        assertEquals(Subscription.Standing.CANCELED, subscription("sub_canceled").standing());

        CLOCK.advance(Duration.ofDays(6));
        check();
        assertEquals(NodeState.READY, service.nodes().get(node.nodeId()).state());
        CLOCK.advance(Duration.ofDays(1).plusMinutes(1));
        check();
        assertEquals(NodeState.TERMINATED, service.nodes().get(node.nodeId()).state());
        assertEquals("terminated", instanceState(node));
        awaitMails("canceled@example.com", "was terminated", 1);
    }

    @Test
    void eventsOutOfOrderAndTwiceReachTheSameEndState() throws Exception {
        long t = now();
        Node inOrder = readyNode("ordered", "{\"plan\":\"pro\"}");
        Node shuffled = readyNode("shuffled", "{\"plan\":\"pro\"}");
        List<String> ordered = history("ordered", t);
        List<String> reversed = new ArrayList<>(history("shuffled", t));
        java.util.Collections.reverse(reversed);
        ordered.forEach(SubscriptionLifecycleTest::deliver);
        for (String event : reversed) {
            deliver(event);
            deliver(event);
        }
        CLOCK.advance(Duration.ofDays(20));
        check();
        for (Node node : List.of(inOrder, shuffled)) {
            Node now = service.nodes().get(node.nodeId());
            assertEquals(NodeState.READY, now.state(), node.nodeId());
            assertEquals("active", now.billing().getOrDefault("status", "active"), node.nodeId());
            assertFalse(now.history().stream().anyMatch(h -> h.get("state").equals("SUSPENDING")), now.history()::toString);
        }
        assertEquals(subscription("sub_ordered").standing(), subscription("sub_shuffled").standing());
        assertEquals(subscription("sub_ordered").lastEventAt(), subscription("sub_shuffled").lastEventAt());

        // Same again, ending in a cancellation that arrives first.
        long u = now();
        Node endsInOrder = readyNode("endsordered", "{\"plan\":\"pro\"}");
        Node endsShuffled = readyNode("endsshuffled", "{\"plan\":\"pro\"}");
        List<String> endsOrdered = ending("endsordered", u);
        List<String> endsReversed = new ArrayList<>(ending("endsshuffled", u));
        java.util.Collections.reverse(endsReversed);
        endsOrdered.forEach(SubscriptionLifecycleTest::deliver);
        for (String event : endsReversed) {
            deliver(event);
            deliver(event);
        }
        assertEquals(Subscription.Standing.CANCELED, subscription("sub_endsordered").standing());
        assertEquals(Subscription.Standing.CANCELED, subscription("sub_endsshuffled").standing());
        assertEquals(subscription("sub_endsordered").canceledAt(), subscription("sub_endsshuffled").canceledAt());
        // The cancellation is dated by its event (u + 120 s): seven days after that.
        CLOCK.advance(Duration.ofDays(7).plusMinutes(5));
        check();
        assertEquals(NodeState.TERMINATED, service.nodes().get(endsInOrder.nodeId()).state());
        assertEquals(NodeState.TERMINATED, service.nodes().get(endsShuffled.nodeId()).state());
        assertEquals(1, mails("endsshuffled@example.com", "was terminated").size());
    }

    @Test
    void aNewSubscriptionIsRecordedActiveWithNoCheckScheduled() {
        Node node = readyNode("fresh", "{\"plan\":\"pro\"}");
        Subscription fresh = subscription("sub_fresh");
        assertEquals(Subscription.Standing.ACTIVE, fresh.standing());
        assertEquals("fresh", fresh.userId());
        assertEquals("pro", fresh.plan());
        assertFalse(service.bean("subscriptionStore", SubscriptionStore.class).due(1000).contains("sub_fresh"),
                "a new subscription owes nothing: the billing check has nothing to look at");
        assertNull(service.nodes().get(node.nodeId()).billing().get("status"));
    }

    @Test
    void aPaymentFailureThatOvertakesTheCheckoutIsEnforcedWhenTheCheckoutLands() throws Exception {
        // Stripe does not promise order: the first invoice's failure can arrive before checkout.session.completed.
        deliver(StripeEvents.invoice("evt_early_failed", now(), "invoice.payment_failed", "sub_early", "early"));
        assertEquals(Subscription.Standing.PAST_DUE, subscription("sub_early").standing());
        Node node = readyNode("early", "{\"plan\":\"pro\"}");
        Node warned = service.awaitNode(node.nodeId(), SETTLE, n -> "past_due".equals(n.billing().get("status")));
        assertNotNull(warned.billing().get("suspendAt"), warned.billing()::toString);
        awaitMails("early@example.com", "Payment failed", 1);
        assertEquals(Subscription.Standing.PAST_DUE, subscription("sub_early").standing(), "the checkout does not undo the newer news");
    }

    @Test
    void aDowngradeFlagsTheNodesOverTheNewLimitThenTerminatesThem() throws Exception {
        String session = "cs_test_downgrade";
        assertEquals(200, service.postSignedWebhook(StripeEvents.checkoutCompleted("evt_downgrade_checkout", now(), session, "downgrade",
                "downgrade@example.com", "sub_downgrade", "{\"plan\":\"team\",\"nodeCount\":\"2\"}")).statusCode());
        Node kept = service.awaitNode(session + "-0", SETTLE, n -> n.state() == NodeState.READY);
        Node extra = service.awaitNode(session + "-1", SETTLE, n -> n.state() == NodeState.READY);
        assertEquals(5, subscription("sub_downgrade").nodeLimit());

        deliver(StripeEvents.subscription("evt_downgrade_pro", now(), "customer.subscription.updated", "sub_downgrade", "downgrade",
                "active", "price_pro_test"));
        Node flagged = service.awaitNode(extra.nodeId(), SETTLE, n -> "over_limit".equals(n.billing().get("status")));
        assertNotNull(flagged.billing().get("terminateAt"));
        assertEquals(1, subscription("sub_downgrade").nodeLimit());
        assertEquals("pro", subscription("sub_downgrade").plan());
        assertTrue(service.nodes().get(kept.nodeId()).billing().isEmpty(), "the oldest node keeps its place");
        awaitMails("downgrade@example.com", "over your plan's limit", 1);

        CLOCK.advance(Duration.ofDays(5).minusMinutes(2));
        check();
        assertEquals(NodeState.READY, service.nodes().get(extra.nodeId()).state(), "minutes before the over-limit deadline");
        CLOCK.advance(Duration.ofMinutes(3));
        check();
        assertEquals(NodeState.TERMINATED, service.nodes().get(extra.nodeId()).state());
        assertEquals(NodeState.READY, service.nodes().get(kept.nodeId()).state());
    }

    @Test
    void anUpgradeBeforeTheDeadlineLiftsTheFlag() {
        String session = "cs_test_regrade";
        assertEquals(200, service.postSignedWebhook(StripeEvents.checkoutCompleted("evt_regrade_checkout", now(), session, "regrade",
                "regrade@example.com", "sub_regrade", "{\"plan\":\"team\",\"nodeCount\":\"2\"}")).statusCode());
        service.awaitNode(session + "-0", SETTLE, n -> n.state() == NodeState.READY);
        Node extra = service.awaitNode(session + "-1", SETTLE, n -> n.state() == NodeState.READY);
        long t = now();
        deliver(StripeEvents.subscription("evt_regrade_pro", t, "customer.subscription.updated", "sub_regrade", "regrade",
                "active", "price_pro_test"));
        service.awaitNode(extra.nodeId(), SETTLE, n -> "over_limit".equals(n.billing().get("status")));
        deliver(StripeEvents.subscription("evt_regrade_team", t + 1, "customer.subscription.updated", "sub_regrade", "regrade",
                "active", "price_team_test"));
        service.awaitNode(extra.nodeId(), SETTLE, n -> "active".equals(n.billing().get("status")));

        CLOCK.advance(Duration.ofDays(6));
        check();
        assertEquals(NodeState.READY, service.nodes().get(extra.nodeId()).state());
    }

    /** Failed, paid, then an update confirming the subscription is active. */
    private static List<String> history(String user, long t) {
        return List.of(
                StripeEvents.invoice("evt_" + user + "_failed", t, "invoice.payment_failed", "sub_" + user, user),
                StripeEvents.subscription("evt_" + user + "_pastdue", t + 1, "customer.subscription.updated", "sub_" + user, user,
                        "past_due", "price_pro_test"),
                StripeEvents.invoice("evt_" + user + "_paid", t + 60, "invoice.paid", "sub_" + user, user),
                StripeEvents.subscription("evt_" + user + "_active", t + 61, "customer.subscription.updated", "sub_" + user, user,
                        "active", "price_pro_test"));
    }

    /** Failed, past due, then deleted. */
    private static List<String> ending(String user, long t) {
        return List.of(
                StripeEvents.invoice("evt_" + user + "_failed", t, "invoice.payment_failed", "sub_" + user, user),
                StripeEvents.subscription("evt_" + user + "_pastdue", t + 1, "customer.subscription.updated", "sub_" + user, user,
                        "past_due", "price_pro_test"),
                StripeEvents.subscription("evt_" + user + "_deleted", t + 120, "customer.subscription.deleted", "sub_" + user, user,
                        "canceled", "price_pro_test"));
    }

    private static Node readyNode(String user, String metadata) {
        String session = "cs_test_" + user;
        assertEquals(200, service.postSignedWebhook(StripeEvents.checkoutCompleted("evt_" + user + "_checkout", now(), session, user,
                user + "@example.com", "sub_" + user, metadata)).statusCode());
        Node node = service.awaitNode(session + "-0", SETTLE, n -> n.state() == NodeState.READY || n.state().isFinal());
        assertEquals(NodeState.READY, node.state(), node::lastError);
        // The checkout's own check has run once the subscription is recorded and idle.
        RunningService.await(SETTLE, () -> service.bean("subscriptionStore", SubscriptionStore.class).find("sub_" + user).isPresent(),
                () -> "subscription sub_" + user + " recorded");
        return node;
    }

    /** Posts a signed event and waits until the service has handled it (a duplicate is handled already). */
    private static void deliver(String payload) {
        var response = service.postSignedWebhook(payload);
        assertEquals(200, response.statusCode(), response.body());
        String eventId = payload.substring(payload.indexOf("\"id\": \"") + 7, payload.indexOf('"', payload.indexOf("\"id\": \"") + 7));
        EventStore events = service.bean("eventStore", EventStore.class);
        RunningService.await(SETTLE, () -> EventStore.PROCESSED.equals(events.status(eventId)), () -> eventId + " is " + events.status(eventId));
    }

    /** What the timer does every billing.check-interval-ms. */
    private static void check() {
        Exchange done = service.context().createProducerTemplate().send("direct:check-subscriptions", e -> { });
        if (done.getException() != null) {
            throw new AssertionError("billing check failed", done.getException());
        }
    }

    private static Subscription subscription(String id) {
        return service.bean("subscriptionStore", SubscriptionStore.class).find(id).orElseThrow();
    }

    private static long now() {
        return CLOCK.instant().getEpochSecond();
    }

    private static String instanceState(Node node) {
        return EC2.describeInstances(b -> b.instanceIds(node.instanceId())).reservations().get(0).instances().get(0).state().nameAsString();
    }

    /** Waits for the emails, then a short settle period, so a late duplicate is counted too. */
    private static void awaitMails(String to, String subjectPart, int count) {
        assertEquals(count, cloud.settledMailsTo(to, subjectPart, count).size(), "mails '" + subjectPart + "' to " + to);
    }

    private static List<MimeMessage> mails(String to, String subjectPart) {
        return cloud.mailsTo(to, subjectPart);
    }

    /** Posts the events at the same moment from parallel threads, then waits until each is handled. */
    private static void deliverConcurrently(String... payloads) throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(payloads.length);
        try {
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            for (String payload : payloads) {
                done.add(pool.submit(() -> {
                    start.await();
                    deliver(payload);
                    return null;
                }));
            }
            start.countDown();
            for (java.util.concurrent.Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
