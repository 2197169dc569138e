package cloud.edgehive.web;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.Header;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import cloud.edgehive.api.UsageReport;
import cloud.edgehive.billing.Plan;
import cloud.edgehive.billing.Plans;
import cloud.edgehive.problem.ProblemException;
import cloud.edgehive.store.Node;

/**
 * The signed-in user's pages: nodes (list, live list, detail, confirmations), buying, billing and
 * usage. The routes in {@code routes/dashboard.camel.yaml} fetch with the API's own beans and
 * routes; each method here only turns what they fetched into a page. Form posts are turned into the
 * same JSON requests the API takes, so the billing checks are the API's.
 */
public class Dashboard {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Pages pages;
    private final NodePresenter nodes;
    private final UsageChart usage;
    private final Plans plans;
    private final String currency;
    private final String baseUrl;

    /** @param baseUrl where browsers reach the dashboard (web.base-url): Stripe returns there */
    public Dashboard(Pages pages, NodePresenter nodes, UsageChart usage, Plans plans, String currency, String baseUrl) {
        this.pages = pages;
        this.nodes = nodes;
        this.usage = usage;
        this.plans = plans;
        this.currency = currency;
        this.baseUrl = baseUrl;
    }

    public void signIn(Exchange exchange, @Header("expired") String expired, @Header("signed-out") String signedOut) {
        Map<String, Object> model = new LinkedHashMap<>();
        if (expired != null) {
            model.put("notice", "Your session has ended. Open a new sign-in link to continue.");
        } else if (signedOut != null) {
            model.put("notice", "You are signed out.");
        }
        pages.page(exchange, 200, "sign-in", "Sign in", model);
    }

    /** The list page; body: the user's nodes, newest first. */
    public void nodesPage(Exchange exchange, @Header("checkout") String checkout) {
        List<Node> owned = owned(exchange);
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("list", nodeList(exchange, owned).html());
        model.put("banner", nodes.banner(owned));
        if ("success".equals(checkout)) {
            model.put("notice", "Payment received. Your node appears below and is ready in a moment.");
        } else if ("canceled".equals(checkout)) {
            model.put("notice", "Checkout was canceled; nothing was bought.");
        }
        pages.page(exchange, 200, "nodes", "Your nodes", model);
    }

    /** The list again for htmx's poll: 204 when it is what the browser already shows (header v). */
    public void nodesLive(Exchange exchange, @Header("v") String shown) {
        live(exchange, nodeList(exchange, owned(exchange)), shown);
    }

    /** One node's page; body: the node, already checked to be the caller's (NodeAccess). */
    public void nodePage(Exchange exchange, @Header("done") String done) {
        Node node = exchange.getMessage().getBody(Node.class);
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("status", nodeStatus(exchange, node).html());
        model.put("liveHref", "/app/nodes/" + node.nodeId() + "/live");
        model.put("node", nodes.summary(node));
        if ("restarted".equals(done)) {
            model.put("notice", node.hostLabel() + " was restarted.");
        } else if ("terminated".equals(done)) {
            model.put("notice", node.hostLabel() + " was terminated. Nothing of it is left running or billed.");
        }
        pages.page(exchange, 200, "node", node.hostLabel(), model);
    }

    public void nodeLive(Exchange exchange, @Header("v") String shown) {
        live(exchange, nodeStatus(exchange, exchange.getMessage().getBody(Node.class)), shown);
    }

    /** "Restart node-…?" / "Terminate node-…?": a page of its own, so confirming works with a keyboard and without script. */
    public void confirm(Exchange exchange, @Header("action") String action) {
        Node node = exchange.getMessage().getBody(Node.class);
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("node", nodes.summary(node));
        model.put("action", "/app/nodes/" + node.nodeId() + "/" + action);
        if ("restart".equals(action)) {
            model.put("question", "Restart " + node.hostLabel() + "?");
            model.put("explain", "Its machine reboots; it is unreachable for a few seconds and comes back at the same address.");
            model.put("button", "Restart " + node.hostLabel());
        } else {
            model.put("question", "Terminate " + node.hostLabel() + "?");
            model.put("explain", "Its machine, disk and address are deleted and cannot be recovered. Billing for it stops.");
            model.put("button", "Terminate " + node.hostLabel());
            model.put("danger", true);
        }
        pages.page(exchange, 200, "confirm", (String) model.get("question"), model);
    }

    /** The plans on sale (self-serve ones) with their monthly price, and the chosen plan's options (header plan). */
    public void buyPage(Exchange exchange, @Header("plan") String chosen) {
        List<Map<String, Object>> offered = new ArrayList<>();
        Plan selected = null;
        for (String name : plans.names()) {
            Plan plan = plans.find(name).orElseThrow();
            if (!plan.selfServe()) {
                continue;
            }
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("name", plan.name());
            view.put("title", title(plan.name()));
            view.put("price", price(plan));
            view.put("nodeLimit", plan.nodeLimit() + " node" + (plan.nodeLimit() == 1 ? "" : "s"));
            view.put("href", "/app/buy?plan=" + plan.name());
            boolean isChosen = plan.name().equals(chosen);
            view.put("chosen", isChosen);
            offered.add(view);
            if (isChosen) {
                selected = plan;
            }
        }
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("plans", offered);
        if (selected != null) {
            Map<String, Object> form = new LinkedHashMap<>();
            form.put("plan", selected.name());
            form.put("title", title(selected.name()));
            form.put("price", price(selected));
            form.put("regions", options(selected.regions()));
            form.put("instanceTypes", options(selected.instanceTypes()));
            form.put("storageGb", options(selected.storageGb().stream().map(String::valueOf).toList()));
            model.put("form", form);
        }
        pages.page(exchange, 200, "buy", "Buy a node", model);
    }

    /** The buy form as the billing API's checkout request (JSON), returning to the node list. */
    public byte[] checkoutRequest(Exchange exchange) {
        WebRequest request = WebRequest.of(exchange);
        ObjectNode body = JSON.createObjectNode();
        for (String field : List.of("plan", "region", "instanceType")) {
            String value = request.field(field);
            if (value != null && !value.isBlank()) {
                body.put(field, value);
            }
        }
        String size = request.field("storageGb");
        if (size != null && !size.isBlank()) {
            body.put("storageGb", size.trim());
        }
        body.put("returnUrl", baseUrl + "/app/nodes");
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The billing portal request (JSON), returning to the billing page. */
    public byte[] portalRequest() {
        return JSON.createObjectNode().put("returnUrl", baseUrl + "/app/billing").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Sends the browser to a session URL (Stripe Checkout, the local stand-in, the billing portal): body {url}. */
    public void toSession(Exchange exchange) {
        Object url = exchange.getMessage().getBody(Map.class).get("url");
        if (!(url instanceof String location) || !(location.startsWith("https://") || location.startsWith("http://"))) {
            throw new ProblemException(502, "Payment provider error", "The payment provider gave no page to go to; try again shortly");
        }
        pages.redirect(exchange, location);
    }

    /** To the page in the variable {@code location} (a path of this site). */
    public void redirect(Exchange exchange, @org.apache.camel.Variable("location") String location) {
        pages.redirect(exchange, location);
    }

    /** Usage this period (variable usage) and the user's nodes (body), with any billing notice. */
    public void billingPage(Exchange exchange) {
        UsageReport report = exchange.getVariable("usage", UsageReport.class);
        List<Node> owned = owned(exchange);
        Map<String, Object> model = new LinkedHashMap<>(usage.model(report));
        model.put("banner", nodes.banner(owned));
        model.put("hasNodes", !owned.isEmpty());
        pages.page(exchange, 200, "billing", "Billing and usage", model);
    }

    /** A live fragment and the fingerprint of what it shows (computed without the fingerprint itself). */
    private record Live(String html, String version) {
    }

    private void live(Exchange exchange, Live live, String shown) {
        if (live.version().equals(shown)) {
            pages.unchanged(exchange);
        } else {
            pages.html(exchange, 200, live.html());
        }
    }

    private Live nodeList(Exchange exchange, List<Node> owned) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("nodes", owned.stream().map(nodes::summary).toList());
        model.put("empty", owned.isEmpty());
        return render(exchange, "node-list", model);
    }

    private Live nodeStatus(Exchange exchange, Node node) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("node", nodes.detail(node));
        return render(exchange, "node-status", model);
    }

    private Live render(Exchange exchange, String fragment, Map<String, Object> model) {
        String version = Pages.version(pages.fragment(exchange, fragment, model));
        model.put("version", version);
        return new Live(pages.fragment(exchange, fragment, model), version);
    }

    @SuppressWarnings("unchecked")
    private static List<Node> owned(Exchange exchange) {
        return exchange.getMessage().getBody(List.class);
    }

    private String price(Plan plan) {
        return plan.monthlyPrice() == null ? "price on request" : (currency.equals("USD") ? "$" : currency + " ") + plan.monthlyPrice()
                + " per month";
    }

    private static List<Map<String, Object>> options(List<String> values) {
        List<Map<String, Object>> options = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            options.add(Map.of("value", values.get(i), "first", i == 0));
        }
        return options;
    }

    private static String title(String plan) {
        return plan.isEmpty() ? plan : Character.toUpperCase(plan.charAt(0)) + plan.substring(1);
    }
}
