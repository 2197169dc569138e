package cloud.edgehive.pipeline;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cloud.edgehive.access.AccessProvider;
import cloud.edgehive.compute.ComputeProvider;
import cloud.edgehive.compute.InstanceStatus;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeState;
import cloud.edgehive.store.NodeStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;

/**
 * The periodic audit of what DynamoDB says against what the cloud has:
 * <ul>
 * <li><b>stuck</b>: a node with work owed and no recorded progress for longer than its state's
 * timeout (a hung worker) is taken over and retried, and after {@code max-resumes} retries failed
 * with compensation;</li>
 * <li><b>orphan</b>: a live instance tagged {@code managed-by=edge-hive-cloud} whose node does not
 * exist, has ended, or runs another instance; terminated when {@code terminate-orphans};</li>
 * <li><b>access-orphan</b>: what the access provider made (a Cloudflare tunnel or record) for a node
 * that does not exist or has ended; removed when {@code terminate-orphans};</li>
 * <li><b>drift</b>: a READY node whose instance is gone or stopped, or whose tunnel is gone or down;
 * marked on the node (a tunnel's status is recorded on it too).</li>
 * </ul>
 * Each finding is a log line with the node id and a count in {@code edgehive.reconciler.findings}.
 */
public class Reconciler {

    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);

    /** Settings from {@code reconciler.*}. */
    public record Config(Function<NodeState, Duration> stuckAfter, int maxResumes, boolean terminateOrphans, int batch) {
    }

    private final NodeStore nodes;
    private final ComputeProvider compute;
    private final AccessProvider access;
    private final Compensation compensation;
    private final CamelContext context;
    private final Clock clock;
    private final Config config;

    public Reconciler(NodeStore nodes, ComputeProvider compute, AccessProvider access, Compensation compensation, CamelContext context,
                      Clock clock, Config config) {
        this.nodes = nodes;
        this.compute = compute;
        this.access = access;
        this.compensation = compensation;
        this.context = context;
        this.clock = clock;
        this.config = config;
    }

    public Map<String, List<String>> audit() throws Exception {
        Map<String, List<String>> findings = new LinkedHashMap<>();
        // One listing of the provider's instances serves both checks, instead of a call per node.
        List<ComputeProvider.ManagedResource> instances = compute.managed();
        findings.put("stuck", stuck());
        findings.put("orphan", orphans(instances));
        List<String> drift = new ArrayList<>(drift(instances));
        // The access provider's audit is separate from compute's: its outage must not hide the rest.
        try {
            findings.put("access-orphan", accessOrphans());
            accessDrift().stream().filter(id -> !drift.contains(id)).forEach(drift::add);
        } catch (RuntimeException e) {
            LOG.warn("Reconciler could not audit access ({}): {}", access.name(), Faults.describe(e));
            findings.put("access-orphan", List.of());
        }
        findings.put("drift", drift);
        return findings;
    }

    /**
     * What the access provider made (tunnels, records) for nodes that no longer live: reported, and
     * removed when {@code terminate-orphans}. A node still being terminated is not an orphan yet.
     */
    private List<String> accessOrphans() {
        List<String> found = new ArrayList<>();
        for (AccessProvider.PublishedName published : access.managed()) {
            Node node = published.nodeId() == null ? null : nodes.find(published.nodeId()).orElse(null);
            if (node != null && !node.state().isFinal()) {
                continue;
            }
            found.add(published.id());
            finding("access-orphan", published.nodeId(), access.name() + " " + published.id() + " (" + published.name() + "): "
                    + (node == null ? "no node " + published.nodeId() : "its node is " + node.state())
                    + (config.terminateOrphans() ? "; removing it" : "; reported only (reconciler.terminate-orphans=false)"));
            if (config.terminateOrphans()) {
                access.removeOrphan(published);
            }
        }
        return found;
    }

    /**
     * READY nodes whose access path is broken (a tunnel gone or down) get a drift note; a tunnel's
     * status is recorded on the node when it changed, for the node's detail.
     */
    private List<String> accessDrift() {
        List<Node> ready = nodes.unchangedSince(NodeState.READY, clock.instant(), Integer.MAX_VALUE);
        if (ready.isEmpty()) {
            return List.of();
        }
        Map<String, AccessProvider.Health> health = access.inspect(ready);
        List<String> found = new ArrayList<>();
        for (Node node : ready) {
            AccessProvider.Health h = health.get(node.nodeId());
            if (h == null) {
                continue;
            }
            if (h.status() != null && !h.status().equals(node.tunnelStatus())) {
                nodes.annotate(node.nodeId(), "tunnelStatus", h.status());
            }
            if (h.drift() != null) {
                found.add(node.nodeId());
                finding("drift", node.nodeId(), h.drift() + " while the node is READY");
                nodes.annotate(node.nodeId(), "drift", clock.instant() + ": " + h.drift() + " while the node is READY");
            }
        }
        return found;
    }

    private List<String> stuck() throws Exception {
        List<String> found = new ArrayList<>();
        ProducerTemplate work = context.createProducerTemplate();
        for (NodeState state : NodeState.values()) {
            if (!state.isUnsettled()) {
                continue;
            }
            Duration limit = config.stuckAfter().apply(state);
            for (Node node : nodes.unchangedSince(state, clock.instant().minus(limit), config.batch())) {
                found.add(node.nodeId());
                boolean giveUp = node.resumes() >= config.maxResumes();
                finding("stuck", node.nodeId(), "no progress in " + state + " for over " + limit.toSeconds() + " s, "
                        + (giveUp ? "failing it after " + node.resumes() + " retries" : "retrying (" + (node.resumes() + 1) + ")"));
                Node taken = nodes.seize(node, "reconciler: no progress in " + state + " for over " + limit.toSeconds() + " s");
                if (taken == null) {
                    continue;
                }
                if (giveUp && state.isProvisioning()) {
                    compensation.fail(taken, "reconciler", "No progress in " + state + " after " + node.resumes() + " retries");
                    nodes.release(nodes.get(taken.nodeId()));
                } else {
                    nodes.release(taken);
                    work.sendBody("seda:node-work", taken.nodeId());
                }
            }
        }
        return found;
    }

    private List<String> orphans(List<ComputeProvider.ManagedResource> instances) {
        List<String> found = new ArrayList<>();
        for (ComputeProvider.ManagedResource instance : instances) {
            Node node = instance.nodeId() == null ? null : nodes.find(instance.nodeId()).orElse(null);
            String why;
            if (node == null) {
                why = "no node " + instance.nodeId();
            } else if (node.state() == NodeState.TERMINATED || node.state() == NodeState.FAILED) {
                why = "its node is " + node.state();
            } else if (node.hasInstance() && !node.instanceId().equals(instance.id()) && !node.state().isUnsettled()) {
                why = "its node runs " + node.instanceId();
            } else {
                continue;
            }
            found.add(instance.id());
            finding("orphan", instance.nodeId(), "instance " + instance.id() + ": " + why
                    + (config.terminateOrphans() ? "; terminating it" : "; reported only (reconciler.terminate-orphans=false)"));
            if (config.terminateOrphans()) {
                compute.terminateResource(instance);
            }
        }
        return found;
    }

    private List<String> drift(List<ComputeProvider.ManagedResource> instances) {
        Map<String, InstanceStatus.Phase> phases = new java.util.HashMap<>();
        instances.forEach(i -> phases.put(i.id(), i.phase()));
        List<String> found = new ArrayList<>();
        for (Node node : nodes.unchangedSince(NodeState.READY, clock.instant(), Integer.MAX_VALUE)) {
            InstanceStatus.Phase phase = phases.getOrDefault(node.instanceId(), InstanceStatus.Phase.GONE);
            if (phase == InstanceStatus.Phase.RUNNING || phase == InstanceStatus.Phase.PENDING) {
                continue;
            }
            found.add(node.nodeId());
            String drift = "instance " + node.instanceId() + " is " + phase + " while the node is READY";
            finding("drift", node.nodeId(), drift);
            nodes.annotate(node.nodeId(), "drift", clock.instant() + ": " + drift);
        }
        return found;
    }

    private void finding(String kind, String nodeId, String detail) {
        LOG.warn("Reconciler finding {} for node {}: {}", kind, nodeId, detail);
        MeterRegistry registry = context.getRegistry().findSingleByType(MeterRegistry.class);
        (registry != null ? registry : Metrics.globalRegistry).counter("edgehive.reconciler.findings", "kind", kind).increment();
    }
}
