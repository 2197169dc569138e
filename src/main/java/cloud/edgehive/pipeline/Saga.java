package cloud.edgehive.pipeline;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.ToDefinition;
import org.apache.camel.support.DefaultExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cloud.edgehive.store.LeaseLost;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeState;
import cloud.edgehive.store.NodeStore;

/**
 * The provisioning saga's bookkeeping. The steps themselves, in order and each with its undo, are
 * the {@code provision-node} route's calls of routes made from the {@code saga-step} template in
 * routes/provisioning.camel.yaml; this class records each completed step on the node (with its undo)
 * and runs undos: the recorded ones in reverse when a step fails for good, every one in reverse when
 * a node is terminated.
 */
public class Saga {

    public static final String ROUTE = "provision-node";
    public static final String TEMPLATE = "saga-step";
    /** The undo of a step that has nothing to reverse. */
    public static final String NO_UNDO = "none";

    private static final Logger LOG = LoggerFactory.getLogger(Saga.class);

    /** One step as the route lists it. */
    public record Step(String name, String undo) {
    }

    /** What an undo pass did: the steps undone, in that order, and those whose undo failed. */
    public record Undone(List<String> undone, List<String> failed) {
        @Override
        public String toString() {
            return "undone: " + (undone.isEmpty() ? "nothing" : String.join(", ", undone))
                    + (failed.isEmpty() ? "" : "; clean-up incomplete: " + String.join(", ", failed));
        }
    }

    private final NodeStore nodes;
    private final CamelContext context;
    private volatile ProducerTemplate producer;
    private volatile List<Step> steps;

    public Saga(NodeStore nodes, CamelContext context) {
        this.nodes = nodes;
        this.context = context;
    }

    /**
     * Records the step as done, unless the step's own last write already did (see ProvisioningSteps)
     * or the step had nothing to do ({@code node} null: {@code before} is returned and nothing is
     * written, as running it again changes nothing); if the node was taken for termination meanwhile,
     * undoes what the step made.
     */
    public Node complete(Node node, Node before, String step, String undo) {
        if (node == null) {
            return before;
        }
        if (node.hasCompleted(step)) {
            return node;
        }
        try {
            return nodes.recordStep(node, step, undo);
        } catch (LeaseLost lost) {
            Node now = nodes.get(node.nodeId());
            if (now.state() == NodeState.TERMINATING || now.state().isFinal()) {
                // Termination may have cleaned up before this step made anything: this worker removes it.
                undo(undo, now);
            }
            throw lost;
        }
    }

    /**
     * Undoes the node's recorded steps in reverse, starting with {@code failing} (the step in flight,
     * which may have made something before it failed; null when unknown).
     */
    public Undone undoRecorded(Node node, Step failing) {
        List<Step> done = new ArrayList<>();
        node.saga().forEach(entry -> done.add(new Step(entry.get("step"), entry.get("undo"))));
        if (failing != null && !node.hasCompleted(failing.name())) {
            done.add(failing);
        }
        Collections.reverse(done);
        return undo(node, done);
    }

    /** Undoes every step of the saga, in reverse order, whether or not the node recorded it (termination). */
    public Undone undoAll(Node node) {
        List<Step> all = new ArrayList<>(steps());
        Collections.reverse(all);
        return undo(node, all);
    }

    private Undone undo(Node node, List<Step> steps) {
        List<String> failed = new ArrayList<>();
        List<String> undone = new ArrayList<>();
        for (Step step : steps) {
            if (NO_UNDO.equals(step.undo())) {
                continue;
            }
            try {
                undo(step.undo(), node);
                undone.add(step.name());
            } catch (RuntimeException e) {
                LOG.error("Node {}: undo of {} failed: {}", node.nodeId(), step.name(), Faults.describe(e));
                failed.add(step.name());
            }
        }
        Undone result = new Undone(List.copyOf(undone), List.copyOf(failed));
        LOG.info("Node {}: {}", node.nodeId(), result);
        return result;
    }

    private void undo(String uri, Node node) {
        if (uri == null || NO_UNDO.equals(uri)) {
            return;
        }
        Exchange exchange = new DefaultExchange(context);
        exchange.setVariable("node", node);
        exchange.getIn().setBody(node);
        Exchange done = producer().send(uri, exchange);
        if (done.getException() != null) {
            throw done.getException() instanceof RuntimeException runtime ? runtime : new IllegalStateException(done.getException());
        }
    }

    /** The saga's steps in order, read once from the provision-node route as the YAML defines it. */
    public List<Step> steps() {
        List<Step> known = steps;
        if (known != null) {
            return known;
        }
        RouteDefinition route = ((ModelCamelContext) context).getRouteDefinition(ROUTE);
        if (route == null) {
            throw new IllegalStateException("No route " + ROUTE);
        }
        List<Step> found = new ArrayList<>();
        for (ProcessorDefinition<?> output : route.getOutputs()) {
            if (output instanceof ToDefinition to && to.getUri().startsWith("direct:")) {
                RouteDefinition step = ((ModelCamelContext) context).getRouteDefinition(to.getUri().substring("direct:".length()));
                if (step != null && step.getTemplateParameters() != null && step.getTemplateParameters().get("step") != null) {
                    Object undo = step.getTemplateParameters().get("undo");
                    found.add(new Step(String.valueOf(step.getTemplateParameters().get("step")), undo == null ? NO_UNDO : String.valueOf(undo)));
                }
            }
        }
        if (found.isEmpty()) {
            throw new IllegalStateException("Route " + ROUTE + " calls no " + TEMPLATE + " routes");
        }
        steps = List.copyOf(found);
        return steps;
    }

    private ProducerTemplate producer() {
        if (producer == null) {
            producer = context.createProducerTemplate();
        }
        return producer;
    }
}
