package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import cloud.edgehive.api.NodeHours;
import cloud.edgehive.api.PlanLimits;

/** Node-hours from history entries, and plan limits from configuration with their defaults. */
class NodeHoursTest {

    private static final Instant MAY = Instant.parse("2030-05-01T00:00:00Z");
    private static final Instant JUNE = Instant.parse("2030-06-01T00:00:00Z");

    @Test
    void onlyBilledStatesCountAndTheLastStateLastsUntilNow() {
        List<Map<String, String>> history = List.of(
                step("REQUESTED", "2030-05-02T00:00:00Z"),
                step("ALLOCATED", "2030-05-02T00:01:00Z"),
                step("LAUNCHING", "2030-05-02T00:02:00Z"),
                step("RUNNING", "2030-05-02T01:00:00Z"),
                step("READY", "2030-05-02T01:30:00Z"),
                step("SUSPENDING", "2030-05-02T03:00:00Z"),
                step("SUSPENDED", "2030-05-02T03:30:00Z"),
                step("RESUMING", "2030-05-03T00:00:00Z"),
                step("READY", "2030-05-03T00:15:00Z"));
        // 01:00-03:30 (2.5 h), then 00:00 on the 3rd until now, 12:00 (12 h).
        assertEquals(14.5, NodeHours.within(history, MAY, Instant.parse("2030-05-03T12:00:00Z")), 1e-9);
    }

    @Test
    void theHoursAreClippedToThePeriodAndOrderOfEntriesDoesNotMatter() {
        List<Map<String, String>> history = List.of(
                step("TERMINATED", "2030-06-01T06:00:00Z"),
                step("READY", "2030-04-30T22:00:00Z"),
                step("TERMINATING", "2030-06-01T05:00:00Z"));
        assertEquals(31 * 24, NodeHours.within(history, MAY, JUNE), 1e-9);
        assertEquals(2 + 31 * 24 + 6, NodeHours.within(history, Instant.parse("2030-04-30T00:00:00Z"),
                Instant.parse("2030-06-02T00:00:00Z")), 1e-9);
    }

    @Test
    void nothingRecordedNothingBilled() {
        assertEquals(0, NodeHours.within(List.of(), MAY, JUNE));
        assertEquals(0, NodeHours.within(List.of(step("FAILED", "2030-05-02T00:00:00Z")), MAY, JUNE));
        assertEquals(0, NodeHours.within(List.of(step("READY", "2030-07-01T00:00:00Z")), MAY, JUNE), "starts after the period");
    }

    @Test
    void planLimitsComeFromConfigurationThenDefaults() {
        Map<String, String> configured = Map.of("plans.team.node-limit", "7", "plans.enterprise.node-limit", "40");
        PlanLimits limits = new PlanLimits(key -> Optional.ofNullable(configured.get(key)));
        assertEquals(1, limits.limit("pro"));
        assertEquals(7, limits.limit("team"));
        assertEquals(40, limits.limit("enterprise"));
        PlanLimits unconfigured = new PlanLimits(key -> Optional.empty());
        assertEquals(5, unconfigured.limit("team"));
        assertNull(unconfigured.limit("enterprise"), "no limit unless configured");
        assertNull(unconfigured.limit(null));
    }

    private static Map<String, String> step(String state, String at) {
        return Map.of("state", state, "at", at, "note", "test");
    }
}
