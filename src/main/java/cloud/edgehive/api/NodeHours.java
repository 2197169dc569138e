package cloud.edgehive.api;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import cloud.edgehive.store.NodeState;

/**
 * Node-hours from a node's recorded transitions: each history entry starts a state that lasts until
 * the next entry (or until now), and only time in a state where the node's instance is up counts.
 */
public final class NodeHours {

    /**
     * States in which the instance runs and the customer has (or is getting back) their node. Not
     * counted: before the instance runs (REQUESTED, ALLOCATED, LAUNCHING), stopped (SUSPENDED), and
     * gone (TERMINATED, FAILED).
     */
    public static final Set<NodeState> BILLED = EnumSet.of(NodeState.RUNNING, NodeState.ACCESS_READY, NodeState.READY,
            NodeState.RESTARTING, NodeState.SUSPENDING, NodeState.RESUMING, NodeState.TERMINATING);

    private NodeHours() {
    }

    /** Hours spent in a billed state between {@code from} and {@code to}, as the history records it. */
    public static double within(List<Map<String, String>> history, Instant from, Instant to) {
        List<Map<String, String>> steps = new ArrayList<>(history);
        steps.removeIf(step -> step.get("at") == null || step.get("state") == null);
        steps.sort(Comparator.comparing(step -> Instant.parse(step.get("at"))));
        Duration billed = Duration.ZERO;
        for (int i = 0; i < steps.size(); i++) {
            NodeState state = NodeState.valueOf(steps.get(i).get("state"));
            if (!BILLED.contains(state)) {
                continue;
            }
            Instant start = Instant.parse(steps.get(i).get("at"));
            Instant end = i + 1 < steps.size() ? Instant.parse(steps.get(i + 1).get("at")) : to;
            Instant clippedStart = start.isBefore(from) ? from : start;
            Instant clippedEnd = end.isAfter(to) ? to : end;
            if (clippedEnd.isAfter(clippedStart)) {
                billed = billed.plus(Duration.between(clippedStart, clippedEnd));
            }
        }
        return billed.toMillis() / 3_600_000.0;
    }
}
