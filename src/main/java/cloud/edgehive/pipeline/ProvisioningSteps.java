package cloud.edgehive.pipeline;

import static software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.Variable;

import cloud.edgehive.compute.ComputeFailed;
import cloud.edgehive.compute.ComputeProvider;
import cloud.edgehive.compute.InstanceStatus;
import cloud.edgehive.compute.NotRunningYet;
import cloud.edgehive.access.Access;
import cloud.edgehive.access.AccessProvider;
import cloud.edgehive.mail.MailMessage;
import cloud.edgehive.mail.NodeMail;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeState;
import cloud.edgehive.store.NodeStore;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The provisioning steps the routes call, each one write of the node record: the step's result and
 * the next state. Providers do the outside work; this class only decides what to record. A step's
 * last write also records the step as done (the saga's {@code step} and {@code undo} variables), so
 * {@link Saga#complete} has nothing left to write: one DynamoDB round trip per step instead of two.
 */
public class ProvisioningSteps {

    public static final String READY_MAIL = "node-ready";

    private final NodeStore nodes;
    private final ComputeProvider compute;
    private final AccessProvider access;
    private final NodeMail mail;
    private final Clock clock;
    private final Duration awaitTimeout;

    public ProvisioningSteps(NodeStore nodes, ComputeProvider compute, AccessProvider access, NodeMail mail, Clock clock,
                             Duration awaitTimeout) {
        this.nodes = nodes;
        this.compute = compute;
        this.access = access;
        this.mail = mail;
        this.clock = clock;
        this.awaitTimeout = awaitTimeout;
    }

    /** Records the intent to launch before any compute exists, so a crash after it looks by tag first. */
    public Node markLaunching(Node node) {
        if (node.state() != NodeState.ALLOCATED) {
            return node;
        }
        return nodes.advance(node, NodeState.LAUNCHING, Map.of(), "launch requested");
    }

    /**
     * Launches the node's instance (the provider finds one already launched for it first) and records
     * its id; a node that already records one keeps it.
     */
    public Node launch(@Variable("node") Node node, @Variable("step") String step, @Variable("undo") String undo) {
        node = markLaunching(node);
        if (node.hasInstance()) {
            return node;
        }
        return recordInstance(node, compute.launch(node), step, undo);
    }

    private Node recordInstance(Node node, String instanceId, String step, String undo) {
        if (instanceId.equals(node.instanceId())) {
            return node;
        }
        try {
            return nodes.record(node, done(node, step, undo,
                    Map.of("instanceId", fromS(instanceId), "launchedAt", fromS(clock.instant().toString()))));
        } catch (cloud.edgehive.store.LeaseLost lost) {
            // Terminated while this instance was being launched: the clean-up may have run before the
            // instance existed, so this worker removes what it just created.
            Node now = nodes.get(node.nodeId());
            if (now.state() == NodeState.TERMINATING || now.state().isFinal()) {
                compute.terminate(now);
            }
            throw lost;
        }
    }

    /**
     * Checks the instance once: RUNNING advances the node; still starting throws {@link NotRunningYet},
     * which the error handling retries with backoff until {@code compute.await-timeout-seconds}.
     */
    public Node awaitRunning(@Variable("node") Node node, @Variable("step") String step, @Variable("undo") String undo) {
        if (node.host() != null && reached(node, NodeState.RUNNING)) {
            return node;
        }
        InstanceStatus status = compute.describe(node);
        switch (status.phase()) {
            case RUNNING -> {
                return nodes.advance(node, NodeState.RUNNING, done(node, step, undo, address(status)), "instance " + status.id() + " running");
            }
            case PENDING -> {
                Instant since = Instant.parse(node.launchedAt() != null ? node.launchedAt() : node.updatedAt());
                if (clock.instant().isAfter(since.plus(awaitTimeout))) {
                    throw new ComputeFailed("Instance " + status.id() + " not running after " + awaitTimeout.toSeconds() + " s");
                }
                nodes.renew(node);
                throw new NotRunningYet(node.nodeId(), status.phase());
            }
            default -> throw new ComputeFailed("Instance " + status.id() + " is " + status.phase() + " while launching");
        }
    }

    /** Where the node answers, as the node records it: host, and port unless it is the provider's default. */
    static Map<String, AttributeValue> address(InstanceStatus status) {
        Map<String, AttributeValue> results = new HashMap<>();
        if (status.host() != null) {
            results.put("host", fromS(status.host()));
        }
        if (status.port() > 0) {
            results.put("port", AttributeValue.fromN(String.valueOf(status.port())));
        }
        return results;
    }

    /** Makes the node reachable (a record, a wildcard name) and records the URL; a node without an address cannot be. */
    public Node publishAccess(@Variable("node") Node node, @Variable("step") String step, @Variable("undo") String undo) {
        if (node.url() != null && reached(node, NodeState.ACCESS_READY)) {
            return node;
        }
        if (node.host() == null) {
            throw new ComputeFailed("Node " + node.nodeId() + " has no address to publish");
        }
        return recordAccess(node, access.publish(node), step, undo);
    }

    private Node recordAccess(Node node, Access access, String step, String undo) {
        Map<String, AttributeValue> results = new HashMap<>();
        results.put("url", fromS(access.url()));
        if (access.dnsName() != null) {
            results.put("dnsName", fromS(access.dnsName()));
        }
        if (access.tunnelId() != null) {
            results.put("tunnelId", fromS(access.tunnelId()));
            results.put("tunnelStatus", fromS(access.tunnelStatus() == null ? "unknown" : access.tunnelStatus()));
        }
        return nodes.advance(node, NodeState.ACCESS_READY, done(node, step, undo, results), "reachable at " + access.url());
    }

    /** The access email, or null when this node's owner already got it (a resumed or replayed step). */
    public MailMessage readyMail(Node node) {
        return node.wasNotified(READY_MAIL) ? null : mail.render(node, READY_MAIL);
    }

    /** READY, with the email recorded; provisioning is over, so the same write gives the lease up. */
    public Node markReady(@Variable("node") Node node, @Variable("step") String step, @Variable("undo") String undo) {
        if (node.state() == NodeState.READY) {
            return node;
        }
        Map<String, AttributeValue> results = new HashMap<>();
        results.put("notified", nodes.notifiedWith(node, READY_MAIL));
        results.put("leaseUntil", AttributeValue.fromN("0"));
        return nodes.advance(node, NodeState.READY, done(node, step, undo, results), "owner notified");
    }

    /** The step's results plus the step itself recorded as done (when called as a saga step). */
    private Map<String, AttributeValue> done(Node node, String step, String undo, Map<String, AttributeValue> results) {
        return nodes.withStep(node, step, undo == null ? Saga.NO_UNDO : undo, results);
    }

    /** Whether provisioning already brought the node to {@code state} (a step re-run after a crash between its two writes). */
    private static boolean reached(Node node, NodeState state) {
        return node.state() == NodeState.READY || (node.state().isProvisioning() && node.state().ordinal() >= state.ordinal());
    }

    /** The route a failure happened in, for the dead letter. */
    public static String failedStep(Exchange exchange) {
        String route = exchange.getProperty(ExchangePropertyKey.FAILURE_ROUTE_ID, String.class);
        return route == null ? exchange.getFromRouteId() : route;
    }
}
