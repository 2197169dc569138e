package cloud.edgehive.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import cloud.edgehive.harness.TestNodes;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeState;

/** Plan limits (configured, else published defaults) and the plain failure reason users read. */
class PlanLimitsAndReasonsTest {

    @Test
    void limitsComeFromConfigurationElseTheDefaults() {
        Map<String, String> config = Map.of("plans.team.node-limit", " 7 ", "plans.gold.node-limit", "3", "plans.bad.node-limit", "many");
        PlanLimits limits = new PlanLimits(key -> Optional.ofNullable(config.get(key)));
        assertEquals(7, limits.limit("team"));
        assertEquals(3, limits.limit("gold"));
        assertEquals(1, limits.limit("pro"));
        assertNull(limits.limit("enterprise"), "set per deal");
        assertNull(limits.limit(null));
        assertTrue(assertThrows(IllegalStateException.class, () -> limits.limit("bad")).getMessage().contains("plans.bad.node-limit"));
        assertEquals(5, new PlanLimits(key -> Optional.empty()).limit("team"));
    }

    @Test
    void incompleteHistoryEntriesAreSkippedWhenCountingNodeHours() {
        List<Map<String, String>> history = List.of(Map.of("state", "READY", "at", "2030-01-01T00:00:00Z"),
                Map.of("state", "READY"), Map.of("at", "2030-01-01T00:30:00Z"),
                Map.of("state", "SUSPENDED", "at", "2030-01-01T02:00:00Z"));
        assertEquals(2.0, NodeHours.within(history, java.time.Instant.parse("2030-01-01T00:00:00Z"),
                java.time.Instant.parse("2030-01-02T00:00:00Z")), 1e-9);
    }

    @Test
    void aFailedNodeIsExplainedByTheStateItFailedIn() {
        assertEquals("No capacity was free for the node. Nothing was left running or billed. Support reference: dl-1.",
                FailureReasons.plain(failed("REQUESTED", "failed in allocate-slot", "dl-1")));
        assertEquals("The cloud provider could not start the node. Nothing was left running or billed.",
                FailureReasons.plain(failed("LAUNCHING", "failed", null)));
        assertEquals("The cloud provider could not start the node. Nothing was left running or billed.",
                FailureReasons.plain(failed("ALLOCATED", "failed", null)));
        assertEquals("The node's address could not be published. Nothing was left running or billed.",
                FailureReasons.plain(failed("RUNNING", "failed", null)));
        assertEquals("The node's ready email could not be sent. Nothing was left running or billed.",
                FailureReasons.plain(failed("ACCESS_READY", "failed", null)));
        assertEquals("The node stopped making progress and was cleaned up. Nothing was left running or billed.",
                FailureReasons.plain(failed("LAUNCHING", "failed in reconciler", null)));
        assertEquals("Setting up the node failed. Nothing was left running or billed.",
                FailureReasons.plain(failed("SUSPENDED", "failed", null)));
    }

    @Test
    void theLatestFailureCountsAndAHistoryWithoutOneHasAGenericReason() {
        List<Map<String, String>> history = List.of(step("REQUESTED", ""), step("FAILED", "failed"), step("REQUESTED", "replayed"),
                step("ALLOCATED", ""), step("RUNNING", ""), step("FAILED", "failed"));
        assertTrue(FailureReasons.plain(node(NodeState.FAILED, "boom", null, history)).startsWith("The node's address"));
        assertEquals("Setting up the node failed. Nothing was left running or billed.",
                FailureReasons.plain(node(NodeState.FAILED, "boom", null, List.of(step("FAILED", "failed")))),
                "a FAILED first entry has no state before it");
        assertEquals("Setting up the node failed. Nothing was left running or billed.",
                FailureReasons.plain(node(NodeState.FAILED, "boom", null, List.of(step("REQUESTED", ""), step("ALLOCATED", "")))));
    }

    @Test
    void noErrorNoReasonAndAnUnfinishedOperationIsRetried() {
        assertNull(FailureReasons.plain(node(NodeState.READY, null, null, List.of())));
        assertNull(FailureReasons.plain(node(NodeState.FAILED, " ", null, List.of())));
        assertEquals("The last operation on the node did not complete; it is retried automatically. Support reference: dl-9.",
                FailureReasons.plain(node(NodeState.READY, "restart failed", "dl-9", List.of())));
    }

    private static Node failed(String before, String note, String deadLetter) {
        return node(NodeState.FAILED, "SdkException: boom", deadLetter, List.of(step("REQUESTED", ""), step(before, ""), step("FAILED", note)));
    }

    private static Node node(NodeState state, String lastError, String deadLetter, List<Map<String, String>> history) {
        return TestNodes.node("cs_1-0", state, "2030-01-01T00:00:00Z", lastError, deadLetter, Map.of(), Map.of(), history);
    }

    private static Map<String, String> step(String state, String note) {
        return Map.of("state", state, "note", note, "at", "2030-01-01T00:00:00Z");
    }
}
