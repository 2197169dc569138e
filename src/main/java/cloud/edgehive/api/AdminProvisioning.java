package cloud.edgehive.api;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import org.apache.camel.Body;
import org.apache.camel.Header;
import org.apache.camel.Variable;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import cloud.edgehive.auth.Caller;
import cloud.edgehive.billing.Plan;
import cloud.edgehive.billing.Plans;
import cloud.edgehive.problem.ProblemException;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeIds;
import cloud.edgehive.store.NodeRequest;
import cloud.edgehive.store.NodeStore;

/**
 * Records nodes an admin provisions without a payment. The {@code Idempotency-Key} plays the part
 * of the Checkout session: node ids derive from it, so a retried or concurrent request converges on
 * the same nodes, and reusing a key for a different request is refused (409). The nodes are shaped
 * like a plan's: the plan must be on sale and the region, instance type and disk size among the ones
 * it offers (the launch role's IAM conditions allow only those instance types too).
 */
public class AdminProvisioning {

    /** What an empty field becomes, and how many nodes one request may ask for. */
    public record Defaults(String plan, String region, String instanceType, int storageGb, int maxNodeCount) {
    }

    static final String KEY_PREFIX = "admin-";
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern USER_ID = Pattern.compile("[\\x21-\\x7E]{1,128}");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s\\p{Cntrl}]{1,64}@[^@\\s\\p{Cntrl}]+\\.[^@\\s\\p{Cntrl}]+");
    private static final Pattern PLAN = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");
    private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-[0-9]{1,2}");
    private static final Pattern INSTANCE_TYPE = Pattern.compile("[a-z0-9-]{1,16}\\.[a-z0-9-]{1,16}");
    private static final Set<String> FIELDS = Set.of("userId", "email", "plan", "region", "instanceType", "storageGb", "nodeCount");
    private static final int MIN_STORAGE_GB = 8;
    private static final int MAX_STORAGE_GB = 16384;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final NodeStore nodes;
    private final Plans plans;
    private final Defaults defaults;

    public AdminProvisioning(NodeStore nodes, Plans plans, Defaults defaults) {
        this.nodes = nodes;
        this.plans = plans;
        this.defaults = defaults;
    }

    public ProvisionResult provision(@Variable("caller") Caller caller, @Header("Idempotency-Key") String key,
                                     @Header("Content-Type") String contentType, @Body String body) {
        caller.requireAdmin();
        if (key == null || key.isBlank()) {
            throw new ProblemException(400, "Idempotency-Key required",
                    "Send an Idempotency-Key header (1 to 64 letters, digits, '-' or '_') so a retry cannot provision twice");
        }
        if (!KEY.matcher(key).matches()) {
            throw new ProblemException(400, "Invalid Idempotency-Key", "The Idempotency-Key must be 1 to 64 letters, digits, '-' or '_'");
        }
        // Checked here rather than by the REST consumer, whose 415 has no problem body.
        if (contentType == null || !contentType.toLowerCase(java.util.Locale.ROOT).matches("application/json\\s*(;.*)?")) {
            throw new ProblemException(415, "Unsupported media type", "Send the body as application/json");
        }
        ProvisionRequest request = parse(body);
        List<NodeRequest> wanted = new ArrayList<>();
        for (int i = 0; i < request.nodeCount(); i++) {
            wanted.add(new NodeRequest(NodeIds.forPurchase(KEY_PREFIX + key, i), request.userId(), request.email(),
                    request.plan(), request.region(), request.instanceType(), request.storageGb(), null, null, null));
        }
        // A node beyond the requested count means the key was first used with a larger count.
        if (nodes.find(NodeIds.forPurchase(KEY_PREFIX + key, request.nodeCount())).isPresent()) {
            throw reused();
        }
        // Node 0 is recorded last, so when it exists the whole request was recorded before: a replay,
        // which must name exactly those nodes. Otherwise this is the first request, or the retry of
        // one that stopped half way, and it records whatever is missing.
        boolean replayed = nodes.find(wanted.get(0).nodeId()).isPresent();
        if (replayed) {
            for (NodeRequest node : wanted) {
                if (nodes.find(node.nodeId()).filter(stored -> sameRequest(stored, node)).isEmpty()) {
                    throw reused();
                }
            }
        }
        for (int i = wanted.size() - 1; i >= 0; i--) {
            NodeRequest node = wanted.get(i);
            if (!nodes.create(node) && !sameRequest(nodes.get(node.nodeId()), node)) {
                throw reused();
            }
        }
        List<NodeSummary> recorded = wanted.stream().map(n -> NodeSummary.of(nodes.get(n.nodeId()))).toList();
        return new ProvisionResult(key, replayed, recorded);
    }

    /** The request with defaults applied; a 422 problem naming every invalid field otherwise. */
    ProvisionRequest parse(String body) {
        JsonNode json;
        try {
            json = body == null || body.isBlank() ? null : JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw invalid("The body is not valid JSON");
        }
        if (json == null || !json.isObject()) {
            throw invalid("The body must be a JSON object with at least userId and email");
        }
        List<String> errors = new ArrayList<>();
        for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                errors.add("unknown field '" + (name.length() > 40 ? name.substring(0, 40) + "…" : name) + "'");
            }
        }
        String userId = text(json, "userId", true, USER_ID, "1 to 128 visible ASCII characters", errors).orElse(null);
        String email = text(json, "email", true, EMAIL, "an email address", errors).orElse(null);
        if (email != null && email.length() > 254) {
            errors.add("email must be at most 254 characters");
        }
        String plan = text(json, "plan", false, PLAN, "lower-case letters, digits and '-'", errors).orElse(defaults.plan());
        String region = text(json, "region", false, REGION, "an AWS region such as us-east-1", errors).orElse(defaults.region());
        String type = text(json, "instanceType", false, INSTANCE_TYPE, "an EC2 instance type such as t4g.small", errors)
                .orElse(defaults.instanceType());
        int storage = integer(json, "storageGb", MIN_STORAGE_GB, MAX_STORAGE_GB, errors).orElse(defaults.storageGb());
        int count = integer(json, "nodeCount", 1, defaults.maxNodeCount(), errors).orElse(1);
        if (errors.isEmpty()) {
            offeredByPlan(plan, region, type, storage, errors);
        }
        if (!errors.isEmpty()) {
            throw invalid(String.join("; ", errors));
        }
        return new ProvisionRequest(userId, email, plan, region, type, storage, count);
    }

    private void offeredByPlan(String planName, String region, String type, int storage, List<String> errors) {
        Plan plan = plans.find(planName).orElse(null);
        if (plan == null) {
            errors.add("plan '" + planName + "' is not on sale (one of " + String.join(", ", plans.names()) + ")");
            return;
        }
        errors.addAll(plan.unoffered(region, type, storage));
    }

    private static Optional<String> text(JsonNode json, String field, boolean required, Pattern pattern, String expected,
                                         List<String> errors) {
        JsonNode value = json.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                errors.add(field + " is required");
            }
            return Optional.empty();
        }
        if (!value.isTextual() || !pattern.matcher(value.asText()).matches()) {
            errors.add(field + " must be " + expected);
            return Optional.empty();
        }
        return Optional.of(value.asText());
    }

    private static Optional<Integer> integer(JsonNode json, String field, int min, int max, List<String> errors) {
        JsonNode value = json.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.asInt() < min || value.asInt() > max) {
            errors.add(field + " must be an integer from " + min + " to " + max);
            return Optional.empty();
        }
        return Optional.of(value.asInt());
    }

    private static boolean sameRequest(Node stored, NodeRequest wanted) {
        return Objects.equals(stored.userId(), wanted.userId()) && Objects.equals(stored.email(), wanted.email())
                && Objects.equals(stored.plan(), wanted.plan()) && Objects.equals(stored.region(), wanted.region())
                && Objects.equals(stored.instanceType(), wanted.instanceType()) && stored.storageGb() == wanted.storageGb();
    }

    private static ProblemException reused() {
        return new ProblemException(409, "Idempotency-Key reused",
                "This Idempotency-Key was already used for a different request; use a new key for new nodes");
    }

    private static ProblemException invalid(String detail) {
        return new ProblemException(422, "Invalid request", detail);
    }
}
