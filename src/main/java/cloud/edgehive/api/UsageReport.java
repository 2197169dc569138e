package cloud.edgehive.api;

import java.util.List;

/**
 * The caller's usage in the current billing period (a calendar month, UTC): node-hours per node and
 * in total, and the nodes they hold (anything not TERMINATED or FAILED) against their plan's limit
 * ({@code nodeLimit} null: no limit).
 */
public record UsageReport(
        String periodStart,
        String periodEnd,
        String asOf,
        List<NodeUsage> nodes,
        double totalNodeHours,
        String plan,
        int nodesInUse,
        Integer nodeLimit) {

    /** One node's share of the period; {@code name} is the node's one human name (its DNS label). */
    public record NodeUsage(String id, String name, String state, String plan, double nodeHours) {
    }
}
