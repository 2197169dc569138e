package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeState;
import cloud.edgehive.web.NodePresenter;

/** How the dashboard words a node: a failure without provider internals, the billing countdown, the steps. */
class NodePresenterTest {

    private static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");
    private final NodePresenter presenter = new NodePresenter(Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void aFailedNodeShowsAPlainReasonAndNeverTheProvidersMessage() {
        String raw = "InsufficientInstanceCapacity: arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0abc (Service: Ec2, Request ID: 42)";
        Node failed = node(NodeState.FAILED, raw, "dl-7", Map.of(), List.of(
                step("REQUESTED", "purchased"), step("ALLOCATED", "slot 3"), step("LAUNCHING", "launch requested"),
                step("FAILED", "failed in launch-node")));
        Map<String, Object> view = presenter.detail(failed);
        @SuppressWarnings("unchecked")
        Map<String, Object> failure = (Map<String, Object>) view.get("failure");
        assertEquals("Its machine could not be started.", failure.get("reason"));
        assertEquals("dl-7", failure.get("reference"));
        assertFalse(view.toString().contains("123456789012") || view.toString().contains("subnet-0abc")
                || view.toString().contains("InsufficientInstanceCapacity"), view.toString());
        assertEquals("Failed", view.get("stateLabel"));
        assertEquals(Boolean.FALSE, view.get("canRestart"));
    }

    @Test
    void pastDueShowsTheCountdownToSuspension() {
        Node node = node(NodeState.READY, null, null, Map.of("status", "past_due", "pastDueSince", "2026-03-09T08:00:00Z",
                "suspendAt", "2026-03-12T08:00:00Z", "terminateAt", "2026-03-26T08:00:00Z"), List.of(step("READY", "owner notified")));
        @SuppressWarnings("unchecked")
        Map<String, Object> banner = (Map<String, Object>) presenter.summary(node).get("banner");
        assertTrue(((String) banner.get("text")).contains("suspended in 1 day 20 hours (2026-03-12 08:00 UTC)"), banner.toString());
        assertTrue(((String) banner.get("text")).contains("Payment failed on 9 March 2026"), banner.toString());
        assertEquals(banner, presenter.banner(List.of(node(NodeState.READY, null, null, Map.of("status", "active"), List.of()), node)));
        assertNull(presenter.summary(node(NodeState.READY, null, null, Map.of("status", "active"), List.of())).get("banner"));
    }

    @Test
    void provisioningShowsItsStepAndAReadyNodeItsUrl() {
        Node launching = node(NodeState.LAUNCHING, null, null, Map.of(), List.of(step("REQUESTED", ""), step("ALLOCATED", ""),
                step("LAUNCHING", "")));
        assertEquals(Map.of("step", 3, "of", 6, "label", "Machine starting"), presenter.summary(launching).get("provisioning"));
        assertNull(presenter.summary(launching).get("url"), "no link before READY");
        Node ready = node(NodeState.READY, null, null, Map.of(), List.of(step("READY", "")));
        assertEquals("http://localhost:3000", presenter.summary(ready).get("url"));
        assertEquals("node-" + ready.hostLabel().substring(5), presenter.summary(ready).get("name"));
        assertNull(presenter.summary(ready).get("tunnel"), "no tunnel, no tunnel line");
    }

    @Test
    void aTunnelNodeShowsItsTunnelAndItsStatus() {
        Node plain = node(NodeState.READY, null, null, Map.of(), List.of(step("READY", "")));
        Node tunnelled = new Node(plain.nodeId(), plain.userId(), plain.email(), plain.plan(), plain.region(), plain.instanceType(),
                plain.storageGb(), plain.sessionId(), plain.customerId(), plain.subscriptionId(), plain.state(), plain.version(),
                plain.createdAt(), plain.updatedAt(), plain.pool(), plain.slot(), plain.instanceId(), plain.launchedAt(), plain.host(),
                plain.port(), plain.dnsName(), plain.url(), plain.lastError(), plain.deadLetterId(), plain.leaseOwner(), plain.leaseUntil(),
                plain.resumes(), plain.drift(), plain.history(), plain.saga(), plain.notified(), plain.billing(), "c1744f91-tunnel", "down");
        assertEquals(Map.of("id", "c1744f91-tunnel", "status", "down"), presenter.summary(tunnelled).get("tunnel"));
    }

    private static Map<String, String> step(String state, String note) {
        return Map.of("state", state, "at", "2026-03-01T00:00:00Z", "note", note);
    }

    private static Node node(NodeState state, String lastError, String deadLetter, Map<String, String> billing,
                             List<Map<String, String>> history) {
        return new Node("cs_test_1-0", "ada", "ada@example.com", "pro", "us-east-1", "t4g.small", 10, "cs_test_1", "cus_1", "sub_1",
                state, 3, "2026-03-01T00:00:00Z", "2026-03-01T00:01:00Z", "local", 0, "i-1", null, "127.0.0.1", 3000, null,
                "http://localhost:3000", lastError, deadLetter, null, 0, 0, null, history, List.of(), Map.of(), billing, null, null);
    }
}
