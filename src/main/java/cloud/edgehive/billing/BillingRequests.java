package cloud.edgehive.billing;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;

import org.apache.camel.Body;
import org.apache.camel.Variable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import cloud.edgehive.auth.Caller;
import cloud.edgehive.problem.ProblemException;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeStore;
import cloud.edgehive.store.SubscriptionStore;

/**
 * Checks billing API requests before anything reaches Stripe: the body's values against the plan
 * (422, every problem named at once), the caller's node quota (409), and the Stripe customer a portal
 * session needs (404). A refused request changes nothing.
 */
public class BillingRequests {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_URL_LENGTH = 2048;

    private final Plans plans;
    private final NodeStore nodes;
    private final SubscriptionStore subscriptions;
    private final boolean liveMode;
    private final List<String> returnOrigins;

    /**
     * {@code returnOrigins}: where Stripe may send a buyer back ({@code billing.return-url-origins},
     * e.g. {@code https://app.example.com}); any other return URL would make Stripe's pages an open
     * redirect to wherever a caller likes.
     */
    public BillingRequests(Plans plans, NodeStore nodes, SubscriptionStore subscriptions, boolean liveMode, List<String> returnOrigins) {
        this.plans = plans;
        this.nodes = nodes;
        this.subscriptions = subscriptions;
        this.liveMode = liveMode;
        this.returnOrigins = returnOrigins.stream().map(BillingRequests::origin).toList();
        if (this.returnOrigins.contains(null)) {
            throw new IllegalStateException("billing.return-url-origins must list origins such as https://app.example.com, got " + returnOrigins);
        }
    }

    /** {@code {plan, region, instanceType, storageGb, returnUrl}} (and, for Enterprise, nodeCount) as an order. */
    public CheckoutOrder checkout(@Body byte[] body, @Variable("caller") Caller caller) {
        JsonNode request = parse(body);
        List<String> problems = new ArrayList<>();
        String planName = text(request, "plan");
        Plan plan = planName == null ? null : plans.find(planName).orElse(null);
        if (planName == null) {
            problems.add("plan is required (one of " + String.join(", ", plans.names()) + ")");
        } else if (plan == null) {
            problems.add("plan '" + planName + "' is unknown (one of " + String.join(", ", plans.names()) + ")");
        }
        String userId = caller.userId();
        Integer nodeLimit = plan == null ? null : plan.nodeLimit();
        if (plan != null && !plan.selfServe()) {
            if (!caller.admin()) {
                throw new ProblemException(403, "Forbidden", "The " + plan.name() + " plan is set up by an admin; contact sales");
            }
            // An admin sells the plan for a customer, with the node count of their contract.
            userId = text(request, "userId");
            if (userId == null) {
                problems.add("userId is required: the customer this " + plan.name() + " plan is for");
            }
            nodeLimit = wholeNumber(request, "nodeLimit", null, problems);
            if (nodeLimit == null) {
                problems.add("nodeLimit is required for the " + plan.name() + " plan");
            } else if (nodeLimit < 1) {
                problems.add("nodeLimit must be at least 1");
            }
        }
        String region = text(request, "region");
        String instanceType = text(request, "instanceType");
        Integer storageGb = wholeNumber(request, "storageGb", null, problems);
        Integer nodeCount = wholeNumber(request, "nodeCount", 1, problems);
        if (plan != null) {
            allowed(problems, "region", region, plan.regions());
            allowed(problems, "instanceType", instanceType, plan.instanceTypes());
            if (storageGb == null && !request.has("storageGb")) {
                problems.add("storageGb is required (one of " + plan.storageGb() + ")");
            } else if (storageGb != null && !plan.storageGb().contains(storageGb)) {
                problems.add("storageGb " + storageGb + " is not offered on the " + plan.name() + " plan (one of " + plan.storageGb() + ")");
            }
            if (plan.priceId() == null && problems.isEmpty()) {
                throw new ProblemException(503, "Plan unavailable", "The " + plan.name() + " plan has no Stripe price configured");
            }
        }
        if (nodeCount != null && nodeCount < 1) {
            problems.add("nodeCount must be at least 1");
        }
        String returnUrl = returnUrl(request, problems);
        if (!problems.isEmpty()) {
            throw new ProblemException(422, "Invalid checkout request", String.join("; ", problems));
        }
        return new CheckoutOrder(userId, plan, region, instanceType, storageGb, nodeCount, nodeLimit, returnUrl,
                subscriptions.customerOf(userId).orElse(null));
    }

    /**
     * Refuses an order that would take the user past the plan's node limit. Nodes in use are the
     * user's nodes that are not TERMINATED or FAILED, whatever subscription they came with.
     */
    public CheckoutOrder checkQuota(@Variable("order") CheckoutOrder order) {
        long inUse = nodes.byUser(order.userId()).stream().map(Node::state).filter(s -> !s.isFinal()).count();
        if (inUse + order.nodeCount() > order.nodeLimit()) {
            throw new ProblemException(409, "Node quota reached",
                    "The " + order.plan().name() + " plan allows " + order.nodeLimit() + " node" + (order.nodeLimit() == 1 ? "" : "s")
                            + "; " + inUse + " in use, " + order.nodeCount() + " requested");
        }
        return order;
    }

    /** The return URL of a portal request ({@code {returnUrl}}). */
    public String portalReturnUrl(@Body byte[] body) {
        List<String> problems = new ArrayList<>();
        String url = returnUrl(parse(body), problems);
        if (!problems.isEmpty()) {
            throw new ProblemException(422, "Invalid portal request", String.join("; ", problems));
        }
        return url;
    }

    /** The caller's Stripe customer; 404 when they never bought anything. */
    public String customer(@Variable("caller") Caller caller) {
        return subscriptions.customerOf(caller.userId()).orElseThrow(() -> new ProblemException(404, "No billing account",
                "There is no Stripe customer for this user yet: buy a plan first"));
    }

    private String returnUrl(JsonNode request, List<String> problems) {
        String url = text(request, "returnUrl");
        if (url == null) {
            problems.add("returnUrl is required");
            return null;
        }
        if (url.length() > MAX_URL_LENGTH) {
            problems.add("returnUrl is longer than " + MAX_URL_LENGTH + " characters");
            return null;
        }
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
            if (!uri.isAbsolute() || uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
                problems.add("returnUrl must be an absolute http(s) URL");
            } else if (liveMode && !scheme.equals("https")) {
                problems.add("returnUrl must use https in live mode");
            } else if (!returnOrigins.contains(origin(url))) {
                problems.add("returnUrl must lead back to " + String.join(" or ", returnOrigins) + " (billing.return-url-origins)");
            }
        } catch (URISyntaxException e) {
            problems.add("returnUrl is not a valid URL");
        }
        return url;
    }

    /** {@code scheme://host[:port]} in lower case without the default port; null when it is not an http(s) URL. */
    static String origin(String url) {
        try {
            URI uri = new URI(url.trim());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
            if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
                return null;
            }
            int port = uri.getPort();
            boolean defaultPort = port == -1 || (scheme.equals("https") && port == 443) || (scheme.equals("http") && port == 80);
            return scheme + "://" + uri.getHost().toLowerCase(java.util.Locale.ROOT) + (defaultPort ? "" : ":" + port);
        } catch (URISyntaxException e) {
            return null;
        }
    }

    private static void allowed(List<String> problems, String field, String value, List<String> allowed) {
        if (value == null) {
            problems.add(field + " is required (one of " + String.join(", ", allowed) + ")");
        } else if (!allowed.contains(value)) {
            problems.add(field + " '" + value + "' is not offered on this plan (one of " + String.join(", ", allowed) + ")");
        }
    }

    private static Integer wholeNumber(JsonNode request, String field, Integer fallback, List<String> problems) {
        JsonNode value = request.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (value.canConvertToInt() && value.isIntegralNumber()) {
            return value.intValue();
        }
        if (value.isTextual() && value.asText().matches("\\d{1,9}")) {
            return Integer.parseInt(value.asText());
        }
        problems.add(field + " must be a whole number");
        return null;
    }

    private static String text(JsonNode request, String field) {
        JsonNode value = request.get(field);
        return value != null && value.isTextual() && !value.asText().isBlank() ? value.asText().trim() : null;
    }

    private static JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            throw new ProblemException(400, "Malformed request", "The body must be a JSON object");
        }
        try {
            JsonNode node = JSON.readTree(body);
            if (node == null || !node.isObject()) {
                throw new ProblemException(400, "Malformed request", "The body must be a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new ProblemException(400, "Malformed request", "The body is not valid JSON");
        }
    }
}
