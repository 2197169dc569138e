package cloud.edgehive.pipeline;

import static software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;

import cloud.edgehive.compute.ComputeProvider;
import cloud.edgehive.access.AccessProvider;
import cloud.edgehive.store.DeadLetterStore;
import cloud.edgehive.store.LeaseLost;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeState;
import cloud.edgehive.store.NodeStore;
import cloud.edgehive.store.SlotAllocator;

/**
 * What happens when a provisioning step fails for good: a dead letter records the whole node and
 * the cause, everything created so far is undone (instance, DNS record, slot), and the node ends
 * FAILED with the reason. Nothing is left running or billed.
 */
public class Compensation {

    private static final Logger LOG = LoggerFactory.getLogger(Compensation.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final NodeStore nodes;
    private final SlotAllocator slots;
    private final ComputeProvider compute;
    private final AccessProvider access;
    private final DeadLetterStore deadLetters;

    public Compensation(NodeStore nodes, SlotAllocator slots, ComputeProvider compute, AccessProvider access,
                        DeadLetterStore deadLetters) {
        this.nodes = nodes;
        this.slots = slots;
        this.compute = compute;
        this.access = access;
        this.deadLetters = deadLetters;
    }

    public Node fail(Exchange exchange) throws Exception {
        Node stale = exchange.getVariable("node", Node.class);
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Node failed = fail(stale, ProvisioningSteps.failedStep(exchange), Faults.describe(cause));
        if (failed == null) {
            exchange.setVariable("stop", "true");
            return stale;
        }
        return failed;
    }

    /**
     * Dead letter, undo, FAILED — for the worker holding {@code stale}'s lease. Null when another
     * worker took the node over meanwhile: then it is not this worker's to undo.
     */
    public Node fail(Node stale, String step, String reason) throws Exception {
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
        List<String> leftovers = new ArrayList<>();
        undo("terminate instance", () -> compute.terminate(node), leftovers);
        undo("unpublish access", () -> access.unpublish(node), leftovers);
        undo("release slot", () -> slots.release(node), leftovers);
        String recorded = leftovers.isEmpty() ? reason : reason + " (clean-up incomplete: " + String.join(", ", leftovers) + ")";
        LOG.warn("Node {} failed in {}: {}; dead letter {}", node.nodeId(), step, recorded, deadLetter);
        return nodes.advance(nodes.get(node.nodeId()), NodeState.FAILED,
                Map.of("lastError", fromS(recorded), "deadLetterId", fromS(deadLetter), "failedStep", fromS(step)),
                "failed in " + step);
    }

    private static void undo(String what, Runnable action, List<String> leftovers) {
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.error("Compensation could not {}: {}", what, Faults.describe(e));
            leftovers.add(what);
        }
    }
}
