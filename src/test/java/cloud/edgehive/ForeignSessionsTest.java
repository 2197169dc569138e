package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import cloud.edgehive.harness.Emulators;
import cloud.edgehive.harness.RunningService;
import cloud.edgehive.harness.StripeSigner;
import cloud.edgehive.harness.TestCloud;
import cloud.edgehive.store.EventStore;
import cloud.edgehive.store.NodeState;

/**
 * The attack: pay for something else on the same Stripe account (a Payment Link, a session for a plan
 * that is not on sale, ten nodes on a one-node plan, the cheaper plan's price with the dearer plan's
 * name) and let the webhook turn it into nodes. Every such session is recorded and acknowledged like
 * any event, provisions nothing, and leaves a WARN naming the session. Stripe is stripe-mock: its
 * one fixture price for every session's line items is made Pro's price here, so a Team session
 * charges "the wrong price".
 */
class ForeignSessionsTest {

    private static final String STRIPE_MOCK_PRICE = "price_1PgafmB7WZ01zgkW02Hf9z6c";

    private static TestCloud cloud;
    private static RunningService service;
    private static final List<String> warnings = new CopyOnWriteArrayList<>();
    private static AbstractAppender capture;

    @BeforeAll
    static void start() {
        cloud = TestCloud.fresh("foreign-sessions");
        Map<String, String> config = cloud.config();
        config.put("stripe.api-key", "sk_test_foreignSessions");
        config.put("stripe.api-base", Emulators.stripe().url());
        config.put("stripe.max-network-retries", "0");
        config.put("plans.pro.price-id", STRIPE_MOCK_PRICE);
        config.put("plans.team.price-id", "price_team_foreign");
        config.put("billing.check-initial-delay-ms", "3600000");
        capture = new AbstractAppender("foreign-sessions", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                if (event.getLevel() == Level.WARN) {
                    warnings.add(event.getMessage().getFormattedMessage());
                }
            }
        };
        capture.start();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getRootLogger().addAppender(capture, null, null);
        context.updateLoggers();
        service = RunningService.start(config);
    }

    @AfterAll
    static void stop() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getRootLogger().removeAppender("foreign-sessions");
        context.updateLoggers();
        if (service != null) {
            service.close();
        }
        cloud.close();
    }

    @Test
    void aPaymentLinkSessionProvisionsNothing() {
        // mode=payment, no subscription, no metadata: what a one-time Payment Link sends.
        String payload = StripeSigner.checkoutCompleted("evt_payment_link", "cs_test_payment_link", "user-link", "link@example.com", "{}")
                .replace("\"mode\": \"subscription\"", "\"mode\": \"payment\"")
                .replace("\"subscription\": \"sub_user-link\"", "\"subscription\": null");
        assertRefused("evt_payment_link", "cs_test_payment_link", payload, "mode is payment");
    }

    @Test
    void aSubscriptionWithoutPlanMetadataProvisionsNothing() {
        assertRefused("evt_no_plan", "cs_test_no_plan",
                StripeSigner.checkoutCompleted("evt_no_plan", "cs_test_no_plan", "user-np", "np@example.com", "{}"), "names no plan");
    }

    @Test
    void aPlanNotOnSaleProvisionsNothing() {
        assertRefused("evt_gold", "cs_test_gold",
                StripeSigner.checkoutCompleted("evt_gold", "cs_test_gold", "user-gold", "gold@example.com", "{\"plan\":\"gold\"}"),
                "plan 'gold' is not on sale");
    }

    @Test
    void moreNodesThanThePlanAllowsProvisionNothing() {
        assertRefused("evt_ten", "cs_test_ten", StripeSigner.checkoutCompleted("evt_ten", "cs_test_ten", "user-ten", "ten@example.com",
                "{\"plan\":\"pro\",\"nodeCount\":\"10\"}"), "nodeCount 10 is outside 1..1");
    }

    @Test
    void aShapeThePlanDoesNotOfferProvisionsNothing() {
        assertRefused("evt_huge", "cs_test_huge", StripeSigner.checkoutCompleted("evt_huge", "cs_test_huge", "user-huge",
                "huge@example.com", "{\"plan\":\"pro\",\"storageGb\":\"16384\",\"instanceType\":\"m5.24xlarge\"}"), "storageGb 16384");
    }

    @Test
    void aSessionChargingAnotherPlansPriceProvisionsNothing() {
        // Stripe (stripe-mock) says the session charges Pro's price; its metadata claims Team.
        assertRefused("evt_team_cheap", "cs_test_team_cheap", StripeSigner.checkoutCompleted("evt_team_cheap", "cs_test_team_cheap",
                "user-cheap", "cheap@example.com", "{\"plan\":\"team\"}"), "not the team plan's price");
    }

    @Test
    void aSessionThePlansCouldHaveProducedProvisions() {
        assertEquals(200, service.postSignedWebhook(StripeSigner.checkoutCompleted("evt_genuine", "cs_test_genuine", "user-genuine",
                "genuine@example.com", StripeSigner.PRO_PLAN)).statusCode());
        assertEquals(NodeState.READY, service.awaitNode("cs_test_genuine-0", Duration.ofSeconds(60),
                n -> n.state() == NodeState.READY || n.state().isFinal()).state());
    }

    private static void assertRefused(String eventId, String sessionId, String payload, String reason) {
        var answer = service.postSignedWebhook(payload);
        assertEquals(200, answer.statusCode(), "acknowledged, so Stripe stops retrying: " + answer.body());
        EventStore events = service.bean("eventStore", EventStore.class);
        RunningService.await(Duration.ofSeconds(30), () -> EventStore.PROCESSED.equals(events.status(eventId)),
                () -> eventId + " is " + events.status(eventId));
        assertTrue(service.nodes().find(sessionId + "-0").isEmpty(), "no node for " + sessionId);
        assertEquals(0, RunningService.ec2().describeInstances(b -> b.filters(f -> f.name("tag:edgehive:node-id")
                .values(sessionId + "-0"))).reservations().size(), "no instance for " + sessionId);
        assertTrue(warnings.stream().anyMatch(w -> w.contains(sessionId) && w.contains(reason)),
                "a WARN names " + sessionId + " and why (" + reason + "): " + warnings);
    }
}
