package cloud.edgehive.pipeline;

import static software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;

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

/**
 * The provisioning steps the routes call, each one write of the node record: the step's result and
 * the next state. Providers do the outside work; this class only decides what to record.
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
    public Node launch(Node node) {
        if (node.hasInstance()) {
            return node;
        }
        return recordInstance(node, compute.launch(node));
    }

    private Node recordInstance(Node node, String instanceId) {
        if (instanceId.equals(node.instanceId())) {
            return node;
        }
        try {
            return nodes.record(node, Map.of("instanceId", fromS(instanceId), "launchedAt", fromS(clock.instant().toString())));
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
    public Node awaitRunning(Node node) {
        InstanceStatus status = compute.describe(node);
        switch (status.phase()) {
            case RUNNING -> {
                Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> results = address(status);
                return nodes.advance(node, NodeState.RUNNING, results, "instance " + status.id() + " running");
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
    static Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> address(InstanceStatus status) {
        Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> results = new java.util.HashMap<>();
        if (status.host() != null) {
            results.put("host", fromS(status.host()));
        }
        if (status.port() > 0) {
            results.put("port", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromN(String.valueOf(status.port())));
        }
        return results;
    }

    /** Makes the node reachable (a record, a wildcard name) and records the URL; a node without an address cannot be. */
    public Node publishAccess(Node node) {
        if (node.host() == null) {
            throw new ComputeFailed("Node " + node.nodeId() + " has no address to publish");
        }
        return recordAccess(node, access.publish(node));
    }

    private Node recordAccess(Node node, Access access) {
        Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> results = new java.util.HashMap<>();
        results.put("url", fromS(access.url()));
        if (access.dnsName() != null) {
            results.put("dnsName", fromS(access.dnsName()));
        }
        if (access.tunnelId() != null) {
            results.put("tunnelId", fromS(access.tunnelId()));
            results.put("tunnelStatus", fromS(access.tunnelStatus() == null ? "unknown" : access.tunnelStatus()));
        }
        return nodes.advance(node, NodeState.ACCESS_READY, results, "reachable at " + access.url());
    }

    /** The access email, or null when this node's owner already got it (a resumed or replayed step). */
    public MailMessage readyMail(Node node) {
        return node.wasNotified(READY_MAIL) ? null : mail.render(node, READY_MAIL);
    }

    public Node markReady(Node node) {
        return nodes.advance(node, NodeState.READY, Map.of("notified", nodes.notifiedWith(node, READY_MAIL)), "owner notified");
    }

    /** The route a failure happened in, for the dead letter. */
    public static String failedStep(Exchange exchange) {
        String route = exchange.getProperty(ExchangePropertyKey.FAILURE_ROUTE_ID, String.class);
        return route == null ? exchange.getFromRouteId() : route;
    }
}
