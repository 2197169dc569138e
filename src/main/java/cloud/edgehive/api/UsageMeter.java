package cloud.edgehive.api;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import cloud.edgehive.auth.Caller;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeStore;

/** Builds the caller's {@link UsageReport} from their nodes' recorded transitions, as of the clock's now. */
public class UsageMeter {

    private final NodeStore nodes;
    private final PlanLimits limits;
    private final Clock clock;
    private final String defaultPlan;

    public UsageMeter(NodeStore nodes, PlanLimits limits, Clock clock, String defaultPlan) {
        this.nodes = nodes;
        this.limits = limits;
        this.clock = clock;
        this.defaultPlan = defaultPlan;
    }

    public UsageReport report(Caller caller) {
        Instant now = clock.instant();
        YearMonth month = YearMonth.from(now.atZone(ZoneOffset.UTC));
        Instant start = month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant end = month.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();

        List<Node> owned = nodes.byUser(caller.userId());
        List<UsageReport.NodeUsage> used = new ArrayList<>();
        double total = 0;
        int inUse = 0;
        String plan = null;
        for (Node node : owned) {
            double hours = NodeHours.within(node.history(), start, now);
            boolean held = !node.state().isFinal();
            if (held) {
                inUse++;
                // byUser is newest first: the newest node still held names the plan.
                plan = plan == null ? node.plan() : plan;
            }
            if (hours > 0 || held) {
                used.add(new UsageReport.NodeUsage(node.nodeId(), node.hostLabel(), node.state().name(), node.plan(), round(hours)));
                total += hours;
            }
        }
        if (plan == null) {
            plan = owned.isEmpty() ? defaultPlan : owned.get(0).plan();
        }
        return new UsageReport(start.toString(), end.toString(), now.toString(), used, round(total), plan, inUse,
                limits.limit(plan));
    }

    private static double round(double hours) {
        return BigDecimal.valueOf(hours).setScale(2, RoundingMode.HALF_UP).doubleValue();
    }
}
