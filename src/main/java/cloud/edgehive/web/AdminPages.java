package cloud.edgehive.web;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Header;

import cloud.edgehive.billing.Plan;
import cloud.edgehive.billing.Plans;
import cloud.edgehive.billing.PriceTable;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeState;
import cloud.edgehive.store.NodeStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;

/**
 * The operators' pages (admin role): every node with filters, dead letters (through the same
 * {@code DeadLetterAdmin} the admin API uses), the reconciler's findings and the cloud cost table,
 * labelled as what the operator pays, beside what customers pay.
 */
public class AdminPages {

    private static final int MAX_NODES = 500;

    private final Pages pages;
    private final NodePresenter presenter;
    private final NodeStore nodes;
    private final Plans plans;
    private final PriceTable prices;
    private final CamelContext context;
    private final Clock clock;

    public AdminPages(Pages pages, NodePresenter presenter, NodeStore nodes, Plans plans, PriceTable prices, CamelContext context,
                      Clock clock) {
        this.pages = pages;
        this.presenter = presenter;
        this.nodes = nodes;
        this.plans = plans;
        this.prices = prices;
        this.context = context;
        this.clock = clock;
    }

    /**
     * Nodes by owner (one Query on the user index), else by state (one Query on the state index per
     * state; "live" means every state but TERMINATED and FAILED), then by plan. Never a Scan.
     */
    public void nodes(Exchange exchange, @Header("state") String state, @Header("user") String user, @Header("plan") String plan) {
        String wantedState = state == null || state.isBlank() ? "live" : state.trim();
        List<Node> found = new ArrayList<>();
        if (user != null && !user.isBlank()) {
            found.addAll(nodes.byUser(user.trim()));
        } else {
            for (NodeState s : NodeState.values()) {
                if (matches(wantedState, s)) {
                    found.addAll(nodes.unchangedSince(s, clock.instant().plusSeconds(1), MAX_NODES));
                }
            }
        }
        List<Map<String, Object>> rows = found.stream()
                .filter(n -> matches(wantedState, n.state()))
                .filter(n -> plan == null || plan.isBlank() || plan.trim().equals(n.plan()))
                .sorted(Comparator.comparing(Node::createdAt, Comparator.nullsLast(Comparator.reverseOrder())))
                .limit(MAX_NODES)
                .map(n -> {
                    Map<String, Object> row = presenter.summary(n);
                    row.put("userId", n.userId());
                    row.put("drift", n.drift() == null ? "" : n.drift());
                    return row;
                }).toList();
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("rows", rows);
        model.put("count", rows.size());
        model.put("user", user == null ? "" : user);
        List<Map<String, Object>> states = new ArrayList<>();
        states.add(option("live", "Live (not ended)", wantedState));
        states.add(option("all", "All", wantedState));
        for (NodeState s : NodeState.values()) {
            states.add(option(s.name(), s.name(), wantedState));
        }
        model.put("states", states);
        List<Map<String, Object>> planOptions = new ArrayList<>();
        planOptions.add(option("", "Any plan", plan == null ? "" : plan));
        plans.names().forEach(p -> planOptions.add(option(p, p, plan == null ? "" : plan)));
        model.put("plans", planOptions);
        pages.page(exchange, 200, "admin-nodes", "All nodes", model);
    }

    /** Body: DeadLetterAdmin.list's answer ({items, count}); the filters are the query's. */
    @SuppressWarnings("unchecked")
    public void deadLetters(Exchange exchange, @Header("status") String status, @Header("step") String step) {
        Map<String, Object> listed = exchange.getMessage().getBody(Map.class);
        Map<String, Object> model = new LinkedHashMap<>();
        List<Map<String, Object>> items = new ArrayList<>();
        for (Map<String, Object> item : (List<Map<String, Object>>) listed.get("items")) {
            Map<String, Object> row = new LinkedHashMap<>(item);
            row.put("href", "/app/admin/dead-letters/" + item.get("id"));
            items.add(row);
        }
        model.put("items", items);
        model.put("count", listed.get("count"));
        model.put("step", step == null ? "" : step);
        String wanted = status == null || status.isBlank() ? "OPEN" : status.trim().toUpperCase();
        List<Map<String, Object>> statuses = new ArrayList<>();
        for (String s : List.of("OPEN", "REPLAYED", "DISCARDED", "ALL")) {
            statuses.add(option(s, s, wanted));
        }
        model.put("statuses", statuses);
        pages.page(exchange, 200, "admin-dead-letters", "Dead letters", model);
    }

    /** Body: DeadLetterAdmin.inspect's answer, payload included. */
    @SuppressWarnings("unchecked")
    public void deadLetter(Exchange exchange, @Header("done") String done) {
        Map<String, Object> letter = new LinkedHashMap<>(exchange.getMessage().getBody(Map.class));
        letter.put("open", "OPEN".equals(letter.get("status")));
        letter.put("replayHref", "/app/admin/dead-letters/" + letter.get("id") + "/replay");
        letter.put("discardHref", "/app/admin/dead-letters/" + letter.get("id") + "/discard");
        if (letter.get("nodeId") != null) {
            letter.put("nodeHref", "/app/nodes/" + letter.get("nodeId"));
        }
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("letter", letter);
        if ("replayed".equals(done)) {
            model.put("notice", "Replayed: the work resumes where it failed.");
        } else if ("discarded".equals(done)) {
            model.put("notice", "Discarded: closed without replaying.");
        }
        pages.page(exchange, 200, "admin-dead-letter", "Dead letter " + letter.get("id"), model);
    }

    /**
     * Findings counted since this replica started (the metric), READY nodes marked as drifted, and,
     * after "Run the audit now", what that audit found (variable audit).
     */
    @SuppressWarnings("unchecked")
    public void reconciler(Exchange exchange) {
        Map<String, Object> model = new LinkedHashMap<>();
        MeterRegistry registry = context.getRegistry().findSingleByType(MeterRegistry.class);
        Map<String, String> counts = new TreeMap<>();
        for (Counter counter : (registry != null ? registry : Metrics.globalRegistry).find("edgehive.reconciler.findings").counters()) {
            counts.merge(counter.getId().getTag("kind"), String.valueOf((long) counter.count()), (a, b) -> a);
        }
        List<Map<String, Object>> kinds = new ArrayList<>();
        for (String kind : List.of("stuck", "orphan", "drift", "stalled-node", "stalled-event")) {
            kinds.add(Map.of("kind", kind, "count", counts.getOrDefault(kind, "0")));
        }
        model.put("kinds", kinds);
        List<Map<String, Object>> drifted = nodes.unchangedSince(NodeState.READY, clock.instant().plusSeconds(1), MAX_NODES).stream()
                .filter(n -> n.drift() != null)
                .map(n -> {
                    Map<String, Object> row = presenter.summary(n);
                    row.put("drift", n.drift());
                    return row;
                }).toList();
        model.put("drifted", drifted);
        Map<String, List<String>> audit = exchange.getVariable("audit", Map.class);
        if (audit != null) {
            List<Map<String, Object>> found = new ArrayList<>();
            audit.forEach((kind, ids) -> found.add(Map.of("kind", kind, "ids", String.join(", ", ids), "count", ids.size())));
            model.put("audit", found);
        }
        pages.page(exchange, 200, "admin-reconciler", "Reconciler", model);
    }

    /** The cloud cost table (GET /api/v1/pricing): what a node costs the operator, beside the plan's price to customers. */
    public void pricing(Exchange exchange) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (PriceTable.Price price : prices.prices()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("plan", price.plan());
            row.put("region", price.region());
            row.put("hourly", price.hourly().toPlainString());
            row.put("monthly", price.monthly().toPlainString());
            row.put("sold", plans.find(price.plan()).map(Plan::monthlyPrice).map(p -> p.toPlainString()).orElse("—"));
            rows.add(row);
        }
        pages.page(exchange, 200, "admin-pricing", "Operator's cost", Map.of("rows", rows));
    }

    private static boolean matches(String wanted, NodeState state) {
        return switch (wanted) {
            case "all" -> true;
            case "live" -> !state.isFinal();
            default -> state.name().equals(wanted);
        };
    }

    private static Map<String, Object> option(String value, String label, String selected) {
        return Map.of("value", value, "label", label, "selected", value.equals(selected));
    }
}
