package cloud.edgehive.pipeline;

import static software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS;

import java.util.HashMap;
import java.util.Map;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;

import cloud.edgehive.compute.ComputeFailed;
import cloud.edgehive.compute.ComputeProvider;
import cloud.edgehive.compute.InstanceStatus;
import cloud.edgehive.compute.NotRunningYet;
import cloud.edgehive.access.Access;
import cloud.edgehive.access.AccessProvider;
import cloud.edgehive.mail.MailMessage;
import cloud.edgehive.mail.NodeMail;
import cloud.edgehive.problem.ProblemException;
import cloud.edgehive.store.DeadLetterStore;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeState;
import cloud.edgehive.store.NodeStore;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A node's life after provisioning: restart, suspend, resume and terminate. Each operation first
 * records its in-between state (RESTARTING, SUSPENDING, RESUMING, TERMINATING) and takes the node's
 * lease, then does the outside work, then records the settled state; a crash in between leaves a
 * state the reconciler resumes. Every step is idempotent.
 */
public class Lifecycle {

    public static final String TERMINATED_MAIL = "node-terminated";

    private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final NodeStore nodes;
    private final Saga saga;
    private final ComputeProvider compute;
    private final AccessProvider access;
    private final NodeMail mail;
    private final DeadLetterStore deadLetters;

    public Lifecycle(NodeStore nodes, Saga saga, ComputeProvider compute, AccessProvider access, NodeMail mail,
                     DeadLetterStore deadLetters) {
        this.nodes = nodes;
        this.saga = saga;
        this.compute = compute;
        this.access = access;
        this.mail = mail;
        this.deadLetters = deadLetters;
    }

    /**
     * TERMINATING from any state but TERMINATED, taking the node even from a provisioning worker
     * (which then stops at its next write). Already TERMINATED: returned as it is.
     */
    public Node beginTermination(String nodeId, String reason) {
        return nodes.takeOver(nodeId, n -> n.state() != NodeState.TERMINATED && n.state() != NodeState.TERMINATING,
                NodeState.TERMINATING, "termination: " + (reason == null ? "requested" : reason), true);
    }

    /**
     * Removes everything the node had: the undo of every provisioning step, in reverse (whether or not
     * the node recorded it, since termination may interrupt a step); safe to repeat.
     */
    public Node cleanUp(Node node) {
        if (node.state() != NodeState.TERMINATING) {
            return node;
        }
        Saga.Undone undone = saga.undoAll(node);
        if (!undone.failed().isEmpty()) {
            throw new IllegalStateException("Node " + node.nodeId() + " not fully removed: " + undone);
        }
        return node;
    }

    public MailMessage terminatedMail(Node node) {
        return node.state() != NodeState.TERMINATING || node.wasNotified(TERMINATED_MAIL) || node.email() == null
                ? null : mail.render(node, TERMINATED_MAIL);
    }

    public Node markTerminated(Node node) {
        if (node.state() != NodeState.TERMINATING) {
            return node;
        }
        return nodes.advance(node, NodeState.TERMINATED, Map.of("notified", nodes.notifiedWith(node, TERMINATED_MAIL)), "terminated");
    }

    /** READY → RESTARTING; anything else cannot be restarted (409). */
    public Node beginRestart(String nodeId) {
        return begin(nodeId, NodeState.READY, NodeState.RESTARTING, "restart requested", "restarted");
    }

    public Node reboot(Node node) {
        compute.restart(node);
        return node;
    }

    /** READY → SUSPENDING (non-payment, or an operator). */
    public Node beginSuspend(String nodeId, String reason) {
        return begin(nodeId, NodeState.READY, NodeState.SUSPENDING, "suspend: " + (reason == null ? "requested" : reason), "suspended");
    }

    public Node stop(Node node) {
        compute.suspend(node);
        String stopped = compute.keepsDisk() ? "instance stopped, disk kept" : "task stopped, slot kept (a container keeps no disk)";
        if (access.namesAddress()) {
            // The stopped instance's public IP goes back to AWS: no name may point at it meanwhile. With
            // no address recorded, resuming publishes the one the instance comes back with.
            access.unpublish(node);
            return nodes.advance(node, NodeState.SUSPENDED, Map.of("host", AttributeValue.fromNul(true)),
                    stopped + "; its name removed until it runs again");
        }
        return nodes.advance(node, NodeState.SUSPENDED, Map.of(), stopped);
    }

    /** SUSPENDED → RESUMING. */
    public Node beginResume(String nodeId, String reason) {
        return begin(nodeId, NodeState.SUSPENDED, NodeState.RESUMING, "resume: " + (reason == null ? "requested" : reason), "resumed");
    }

    public Node start(Node node) {
        compute.resume(node);
        return node;
    }

    /**
     * Once the instance runs again: RESTARTING or RESUMING → READY, republishing the address (a stopped
     * EC2 instance usually comes back with a new public IP). Still starting: {@link NotRunningYet}.
     */
    public Node awaitRunningAgain(Node node) {
        InstanceStatus status = compute.describe(node);
        switch (status.phase()) {
            case RUNNING -> {
                Map<String, AttributeValue> results = new HashMap<>();
                Integer port = status.port() > 0 ? status.port() : null;
                if (status.id() != null && !status.id().equals(node.instanceId())) {
                    // A container restarts as a new task: record it, or the audit would call it an orphan.
                    node = nodes.record(node, Map.of("instanceId", fromS(status.id())));
                }
                if (status.host() != null && (!status.host().equals(node.host()) || !java.util.Objects.equals(port, node.port()))) {
                    Node moved = nodes.record(node, ProvisioningSteps.address(status));
                    Access published = access.publish(moved);
                    results.put("url", fromS(published.url()));
                    node = moved;
                }
                return nodes.advance(node, NodeState.READY, results, node.state() == NodeState.RESTARTING ? "restarted" : "resumed");
            }
            default -> {
                boolean gone = status.phase() == InstanceStatus.Phase.GONE;
                if (gone && compute.keepsDisk()) {
                    throw new ComputeFailed("Instance of node " + node.nodeId() + " is gone");
                }
                // Stopped (resuming; or restarting, and something stopped it meanwhile), or a container's
                // task gone (a container keeps nothing; a restart may have died between stop and run):
                // bring it back, a new task on its slot for a container.
                if (gone || status.phase() == InstanceStatus.Phase.STOPPED) {
                    compute.resume(node);
                }
                nodes.renew(node);
                throw new NotRunningYet(node.nodeId(), status.phase());
            }
        }
    }

    /**
     * A lifecycle step that failed for good: a dead letter with the node, the error on the node, and
     * the lease given up so the reconciler tries again later. The node keeps its in-between state.
     */
    public Node failed(Exchange exchange) throws Exception {
        Node stale = exchange.getVariable("node", Node.class);
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String step = ProvisioningSteps.failedStep(exchange);
        String reason = Faults.describe(cause);
        if (stale == null) {
            LOG.error("Lifecycle step {} failed before the node was read: {}", step, reason);
            return null;
        }
        Node node = nodes.get(stale.nodeId());
        if (!java.util.Objects.equals(node.leaseOwner(), stale.leaseOwner())) {
            LOG.info("Node {} failed in {} but another worker holds it now; leaving it to that worker", node.nodeId(), step);
            return node;
        }
        String id = deadLetters.record(node.nodeId(), step, reason, JSON.writeValueAsString(node));
        LOG.error("Node {} could not complete {} in {}: {}; dead letter {}", node.nodeId(), node.state(), step, reason, id);
        try {
            Node recorded = nodes.record(node, Map.of("lastError", fromS(reason), "deadLetterId", fromS(id)));
            nodes.release(recorded);
            return recorded;
        } catch (RuntimeException e) {
            return node;
        }
    }

    private Node begin(String nodeId, NodeState from, NodeState to, String note, String verb) {
        Node current = nodes.find(nodeId).orElseThrow(() -> new ProblemException(404, "Not found", "No such node"));
        if (current.state() != from) {
            throw new ProblemException(409, "Invalid transition",
                    "The node is " + current.state() + "; only a " + from + " node can be " + verb);
        }
        Node taken;
        try {
            taken = nodes.takeOver(nodeId, n -> n.state() == from, to, note, false);
        } catch (cloud.edgehive.store.LeaseLost busy) {
            throw new ProblemException(409, "Node busy", "Another operation is in progress on this node");
        }
        if (taken.state() != to) {
            throw new ProblemException(409, "Invalid transition",
                    "The node is " + taken.state() + "; only a " + from + " node can be " + verb);
        }
        return taken;
    }
}
