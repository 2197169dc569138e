package cloud.edgehive.pipeline;

import static software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS;

import java.util.Map;
import java.util.function.Function;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;

import cloud.edgehive.store.DeadLetterStore;
import cloud.edgehive.store.LeaseLost;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeState;
import cloud.edgehive.store.NodeStore;

/**
 * What happens when a provisioning step fails for good: a dead letter records the whole node and
 * the cause, the steps the node recorded as done are undone in reverse (the failing step first, since
 * it may have made something before it failed), and the node ends FAILED with the reason. Nothing is
 * left running or billed. Which undos run comes from the node's record, not from a list here.
 */
public class Compensation {

    private static final Logger LOG = LoggerFactory.getLogger(Compensation.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final NodeStore nodes;
    private final Saga saga;
    private final DeadLetterStore deadLetters;

    public Compensation(NodeStore nodes, Saga saga, DeadLetterStore deadLetters) {
        this.nodes = nodes;
        this.saga = saga;
        this.deadLetters = deadLetters;
    }

    /** A step failed for good (the node-steps error handling): the step in flight is in the variables the saga step set. */
    public Node fail(Exchange exchange) throws Exception {
        Node stale = exchange.getVariable("node", Node.class);
        if (stale == null) {
            // Failed before the node was read into the exchange: the record holds this worker's lease.
            stale = nodes.get(exchange.getProperty("nodeId", String.class));
        }
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String step = exchange.getVariable("step", String.class);
        String undo = exchange.getVariable("undo", String.class);
        Saga.Step failing = step == null ? null : new Saga.Step(step, undo == null ? Saga.NO_UNDO : undo);
        Node failed = fail(stale, step == null ? ProvisioningSteps.failedStep(exchange) : step, Faults.describe(cause),
                node -> saga.undoRecorded(node, failing));
        return failed == null ? stale : failed;
    }

    /**
     * The reconciler gives up on a node whose worker made no progress: which step was in flight is
     * unknown, so every step is undone (undos are idempotent). Null when another worker holds the node.
     */
    public Node fail(Node stale, String step, String reason) throws Exception {
        return fail(stale, step, reason, saga::undoAll);
    }

    private Node fail(Node stale, String step, String reason, Function<Node, Saga.Undone> undo) throws Exception {
        Node node = nodes.get(stale.nodeId());
        try {
            nodes.renew(stale);
            if (!java.util.Objects.equals(node.leaseOwner(), stale.leaseOwner())) {
                throw new LeaseLost(node.nodeId());
            }
        } catch (LeaseLost taken) {
            LOG.info("Node {} failed in {} but another worker holds it now; leaving it to that worker", node.nodeId(), step);
            return null;
        }
        String deadLetter = deadLetters.record(node.nodeId(), step, reason, JSON.writeValueAsString(node));
        Saga.Undone undone = undo.apply(node);
        String recorded = reason + " (" + undone + ")";
        LOG.warn("Node {} failed in {}: {}; dead letter {}", node.nodeId(), step, recorded, deadLetter);
        return nodes.advance(nodes.get(node.nodeId()), NodeState.FAILED,
                Map.of("lastError", fromS(recorded), "deadLetterId", fromS(deadLetter), "failedStep", fromS(step)),
                "failed in " + step);
    }
}
