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
 * <li><b>drift</b>: a READY node whose instance is gone or stopped; marked on the node.</li>
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
    private final Compensation compensation;
    private final CamelContext context;
    private final Clock clock;
    private final Config config;

    public Reconciler(NodeStore nodes, ComputeProvider compute, Compensation compensation, CamelContext context, Clock clock,
                      Config config) {
        this.nodes = nodes;
        this.compute = compute;
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
        findings.put("drift", drift(instances));
        return findings;
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
