package cloud.edgehive.hooks;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import cloud.edgehive.pipeline.Faults;
import cloud.edgehive.pipeline.ProviderRejected;
import cloud.edgehive.pipeline.ProviderUnavailable;
import cloud.edgehive.pipeline.Hooks;
import cloud.edgehive.store.LeaseLost;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeStore;

/**
 * The operator's own AWS Lambda functions, called at named points of a node's life
 * ({@code hooks.<point>.function}): {@value #AFTER_ACCESS} (a provisioning step between publishing
 * access and the ready email) and {@value #BEFORE_TERMINATE} (before a node's resources are removed).
 * The routes invoke the function (camel-aws2-lambda {@code invokeFunction}, routes/hooks.camel.yaml);
 * this bean decides whether a point has work, writes the node as the function's input and records
 * its answer in the node's history, which is also how a resumed step knows the call was made.
 */
public class LambdaHooks implements Hooks.Hook {

    public static final String AFTER_ACCESS = Hooks.AFTER_ACCESS;
    public static final String BEFORE_TERMINATE = Hooks.BEFORE_TERMINATE;
    public static final List<String> POINTS = List.of(AFTER_ACCESS, BEFORE_TERMINATE);
    /** How a hook's failure starts (then the point), so a failed node's reason can name the hook, not the step around it. */
    public static final String FAILURE_MARK = "hook ";

    private static final Logger LOG = LoggerFactory.getLogger(LambdaHooks.class);
    private static final int MAX_RECORDED = 2000;
    /**
     * Non-ASCII escaped: camel-aws2-lambda encodes a String payload with the JVM's default charset,
     * which Java 17 does not promise to be UTF-8; escaped JSON is the same in every charset.
     */
    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();
    private static final ObjectMapper RECORDED = new ObjectMapper();

    private final Map<String, String> functions;
    private final NodeStore nodes;
    private final ProducerTemplate routes;

    /** {@code functions}: point → function name or ARN; a point without one does nothing. */
    public LambdaHooks(Map<String, String> functions, NodeStore nodes, ProducerTemplate routes) {
        functions.keySet().forEach(point -> {
            if (!POINTS.contains(point)) {
                throw new IllegalStateException("Unknown hook point '" + point + "' (known: " + POINTS + ")");
            }
        });
        this.functions = Map.copyOf(functions);
        this.nodes = nodes;
        this.routes = routes;
    }

    /**
     * Runs {@code point}'s function for the node (route {@code run-hook}) and returns the node as
     * recorded after it. At {@value #AFTER_ACCESS} a failure is thrown to the calling step (its retries,
     * then compensation); at {@value #BEFORE_TERMINATE} it is noted in the node's history and the node
     * returned, so termination goes on.
     */
    @Override
    public Node run(String point, Node node) {
        if (!pending(node, point)) {
            return node;
        }
        Exchange done = routes.send("direct:run-hook", exchange -> {
            exchange.setProperty("nodeId", node.nodeId());
            exchange.setVariable("node", node);
            exchange.setVariable("hook", point);
        });
        Exception failure = done.getException();
        if (failure == null) {
            return done.getVariable("node", Node.class);
        }
        if (BEFORE_TERMINATE.equals(point)) {
            LOG.warn("Hook {} of node {} failed: {}; going on", point, node.nodeId(), Faults.describe(failure));
            return recordFailure(node, point, failure);
        }
        if (failure instanceof LeaseLost || failure instanceof ProviderUnavailable) {
            throw (RuntimeException) failure;
        }
        // Named after the hook (a timeout or a missing function says nothing of it), classified as it was.
        String what = FAILURE_MARK + point + " function " + function(point) + ": " + Faults.describe(failure);
        if (new Faults().isTransient(failure)) {
            throw new ProviderUnavailable("lambda", what, null);
        }
        throw new ProviderRejected("lambda", "hook", what);
    }

    /** A point without a function: nothing is called there. */
    @Override
    public boolean acts(String point) {
        return functions.containsKey(point);
    }

    /** The function configured for {@code point}; null when none is. */
    public String function(String point) {
        return functions.get(point);
    }

    public boolean configured() {
        return !functions.isEmpty();
    }

    /** True when {@code point} has a function and the node has no answer from it yet (a resumed step skips it). */
    public boolean pending(Node node, String point) {
        return function(point) != null && !called(node, point);
    }

    /** Whether the node's history already holds this point's outcome. */
    public static boolean called(Node node, String point) {
        String prefix = note(point, "");
        return node.history().stream().anyMatch(entry -> entry.getOrDefault("note", "").startsWith(prefix));
    }

    /** The function's input: the node as its owner and the operator know it. */
    public String payload(Node node, String point) throws IOException {
        Map<String, Object> user = new LinkedHashMap<>();
        user.put("id", node.userId());
        user.put("email", node.email());
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("hook", point);
        input.put("id", node.nodeId());
        input.put("name", node.hostLabel());
        input.put("user", user);
        input.put("plan", node.plan());
        input.put("region", node.region());
        input.put("url", node.url());
        input.put("state", node.state().name());
        return JSON.writeValueAsString(input);
    }

    /**
     * Records the function's answer in the node's history. A function error (the function threw, or
     * Lambda could not run it) fails the step like an unavailable provider: the step retries, then
     * dead-letters and compensates.
     */
    public Node record(Node node, String point, String answer, String functionError) {
        String function = function(point);
        if (functionError != null && !functionError.isEmpty()) {
            throw new ProviderUnavailable("lambda", FAILURE_MARK + point + " function " + function + " failed (" + functionError + "): "
                    + bounded(answer == null ? "" : answer), null);
        }
        return nodes.advance(node, node.state(), Map.of(), note(point, "(" + function + ") answered " + bounded(json(answer))));
    }

    /** A hook whose failure must not stop the work it precedes (before-terminate): the failure is noted, the work goes on. */
    public Node recordFailure(Node node, String point, Exception failure) {
        return nodes.advance(node, node.state(), Map.of(), note(point, "(" + function(point) + ") failed: " + Faults.describe(failure)));
    }

    private static String note(String point, String rest) {
        return "hook " + point + " " + rest;
    }

    /** The answer as compact JSON; an answer that is not JSON is kept as a JSON string. */
    private static String json(String answer) {
        String text = answer == null ? "" : answer.trim();
        try {
            JsonNode parsed = RECORDED.readTree(text);
            if (parsed != null && !parsed.isMissingNode()) {
                return RECORDED.writeValueAsString(parsed);
            }
        } catch (IOException notJson) {
            // kept as a string below
        }
        try {
            return RECORDED.writeValueAsString(text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String bounded(String text) {
        return text.length() > MAX_RECORDED ? text.substring(0, MAX_RECORDED) + "…" : text;
    }
}
