package cloud.edgehive.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import cloud.edgehive.harness.RunningService;
import cloud.edgehive.harness.ServiceProcess;
import cloud.edgehive.harness.StripeSigner;
import cloud.edgehive.harness.Tokens;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeState;
import cloud.edgehive.store.NodeStore;
import cloud.edgehive.store.Tables;

/**
 * The contract's crash clause, for every shipped combination ({@link ProviderContractTest#combinations()}):
 * SIGKILL after each step → resumed by another process, nothing doubled. Per combination, one doomed
 * process gets one purchase per kill point and freezes each node at its own point
 * ({@code faults.pause-after=ALLOCATED@<node>,INSTANCE_RECORDED@<node>,…}). Where the world can hold a
 * provider's answer, one more node per such call is killed inside its step, the call done and its
 * answer never seen: RunInstances or RunTask through a proxy to moto (the instance or task exists, the
 * node records none; moto ignores the ClientToken, so only finding it by tag or startedBy keeps the
 * survivor from launching another), Route 53's record change, and at the Cloudflare double the
 * tunnel create, ingress PUT and record create. Once every pause has fired and each node's record shows its kill point, the process
 * is SIGKILLed; one survivor process resumes them all. Each node ends READY with one live resource,
 * its published names (each made once), and one email: at MAIL_SENT (the mail server took it, READY
 * not recorded) the guarantee is at least once, so the email comes again with the same Message-ID
 * (SMTP, the outbox's file) or Idempotency-Key (Resend). Terminating them all leaves no resource and
 * no name.
 * <p>
 * Local mode survives a kill by design: DynamoDB Local keeps its tables in files under
 * {@code local.data-dir}, and node processes are children that outlive the service, re-adopted by
 * the next one; the world fixes DynamoDB Local's port so the test can read the nodes.
 * <p>
 * The doomed process's reconciler never starts (its frozen nodes' leases lapse, and it would resume
 * them itself); only the survivor's does. Two process starts per combination.
 */
class ProviderCrashContractTest {

    private static final Duration PAUSES = Duration.ofSeconds(120);
    private static final Duration SETTLE = Duration.ofSeconds(120);
    /** Kill points after a recorded step, and the state the node shows there. */
    private static final Map<String, NodeState> STEPS = new LinkedHashMap<>();

    static {
        STEPS.put("ALLOCATED", NodeState.ALLOCATED);
        STEPS.put("INSTANCE_RECORDED", NodeState.LAUNCHING);
        STEPS.put("RUNNING", NodeState.RUNNING);
        STEPS.put("ACCESS_READY", NodeState.ACCESS_READY);
        STEPS.put("MAIL_SENT", NodeState.ACCESS_READY);
    }

    /** The contract's combinations; {@code -Dcontract.combination=<name>} runs one. */
    static Stream<Named<Supplier<World>>> combinations() {
        String only = System.getProperty("contract.combination", "");
        return ProviderContractTest.combinations().filter(c -> only.isEmpty() || c.getName().equals(only));
    }

    /** One node killed at one point: after a step (a pause) or inside a provider call (a held answer). */
    private record KillPoint(String name, boolean held, NodeState frozenIn) {
        String session() {
            return "cs_test_kill_" + name.toLowerCase().replace('-', '_');
        }

        String nodeId() {
            return session() + "-0";
        }

        String email() {
            return "kill-" + name.toLowerCase().replace('_', '-') + "@crash.example";
        }

        boolean mailSent() {
            return name.equals("MAIL_SENT");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("combinations")
    void killedAfterEachStepAndResumedByAnotherProcess(Supplier<World> combination) {
        try (World world = combination.get()) {
            List<KillPoint> points = new ArrayList<>();
            STEPS.forEach((step, state) -> points.add(new KillPoint(step, false, state)));
            world.holdableCalls().forEach((call, state) -> points.add(new KillPoint(call, true, state)));
            NodeStore nodes = new NodeStore(world.store(), new Tables("edgehive-"), Clock.systemUTC(), "crash-contract-reader",
                    Duration.ofSeconds(1));

            killedAtEveryPoint(world, points, nodes);
            resumedBySurvivor(world, points, nodes);
        }
    }

    private static void killedAtEveryPoint(World world, List<KillPoint> points, NodeStore nodes) {
        StringJoiner pauses = new StringJoiner(",");
        points.stream().filter(p -> !p.held()).forEach(p -> pauses.add(p.name() + "@" + p.nodeId()));
        points.stream().filter(KillPoint::held).forEach(p -> world.holdAnswer(p.name(), p.nodeId()));
        Map<String, String> config = processConfig(world, points);
        config.putAll(world.holdingConfig());
        config.put("faults.pause-after", pauses.toString());
        // The doomed process resumes nothing itself: its frozen nodes' leases lapse while it waits.
        config.put("reconciler.initial-delay-ms", "3600000");
        try (ServiceProcess doomed = ServiceProcess.start("doomed-" + world.name().replace('+', '-'), world.profile(), config)) {
            // Held answers last, just before the kill, the latest call bought first: a client may give
            // up on a held answer and call again (the AWS SDK reads for 30 s), which is not the crash
            // under test.
            for (boolean held : List.of(false, true)) {
                List<KillPoint> phase = new ArrayList<>(points.stream().filter(p -> p.held() == held).toList());
                if (held) {
                    Collections.reverse(phase);
                }
                for (KillPoint p : phase) {
                    assertEquals(200, doomed.postSignedWebhook(StripeSigner.checkoutCompleted("evt_" + p.session(), p.session(),
                            "user-" + p.session(), p.email(), StripeSigner.PRO_PLAN)).statusCode(), p.name());
                }
                // Reached = the pause fired (or the call was done, its answer held), not merely "the node got this far".
                RunningService.await(PAUSES, () -> phase.stream().allMatch(p -> reached(world, doomed, p)),
                        () -> "not reached: " + phase.stream().filter(p -> !reached(world, doomed, p)).map(KillPoint::name).toList()
                                + "\n" + doomed.log());
            }
            for (KillPoint p : points) {
                Node frozen = nodes.find(p.nodeId()).orElseThrow();
                assertEquals(p.frozenIn(), frozen.state(), () -> world.name() + ": the doomed process went on past " + p.name()
                        + ": " + frozen.history());
                assertEquals(p.name().equals("INSTANCE_RECORDED") || p.frozenIn().compareTo(NodeState.RUNNING) >= 0,
                        frozen.hasInstance(), p.name() + ": instance recorded");
                assertEquals(p.mailSent() ? 1 : 0, world.deliveryIds(p.email()).size(), p.name() + ": emails before the kill");
            }
            doomed.kill();
        } finally {
            // The held answers go nowhere now: their caller is dead.
            world.releaseHeldAnswers();
        }
    }

    private static void resumedBySurvivor(World world, List<KillPoint> points, NodeStore nodes) {
        Map<String, String> config = processConfig(world, points);
        // The survivor's own lease is long: under load a 3 s lease can lapse in the middle of its launch,
        // and a second worker would launch again (moto ignores the ClientToken AWS honours).
        config.put("provisioning.lease-seconds", "60");
        config.put("reconciler.interval-ms", "1000");
        config.put("reconciler.initial-delay-ms", "1000");
        try (ServiceProcess survivor = ServiceProcess.start("survivor-" + world.name().replace('+', '-'), world.profile(), config)) {
            for (KillPoint p : points) {
                Node node = awaitNode(nodes, p.nodeId(), survivor, n -> n.state() == NodeState.READY || n.state().isFinal());
                String where = world.name() + ", killed at " + p.name();
                assertEquals(NodeState.READY, node.state(), () -> where + ": " + node.lastError() + " " + node.history());
                assertEquals(1, world.liveResources(p.nodeId()), where + ": one live resource");
                assertEquals(world.namesPerNode(), world.publishedNames(p.nodeId()), where + ": published names");
                world.namesEverCreated(p.nodeId()).forEach((kind, count) -> assertEquals(1, count, where + ": " + kind + " made"));
                List<String> deliveries = world.deliveryIds(p.email());
                int expected = p.mailSent() ? 2 : 1;
                assertEquals(expected, deliveries.size(), where + ": emails " + deliveries);
                assertEquals(1, new HashSet<>(deliveries).size(), where + ": a resent email carries the first one's id " + deliveries);
                assertTrue(world.mailsTo(p.email()).get(0).contains(node.url()), where + ": the email names " + node.url());
            }
            String admin = Tokens.admin("crash-contract-admin");
            for (KillPoint p : points) {
                int status = RunningService.send(HttpRequest.newBuilder(URI.create(survivor.url("/api/v1/nodes/" + p.nodeId())))
                        .header("Authorization", "Bearer " + admin).DELETE().build()).statusCode();
                assertTrue(status == 200 || status == 202, p.name() + ": terminate answered " + status);
            }
            for (KillPoint p : points) {
                Node node = awaitNode(nodes, p.nodeId(), survivor, n -> n.state().isFinal());
                String where = world.name() + ", killed at " + p.name() + ", terminated";
                assertEquals(NodeState.TERMINATED, node.state(), () -> where + ": " + node.history());
                assertEquals(0, world.liveResources(p.nodeId()), where + ": no live resource");
                assertEquals(0, world.publishedNames(p.nodeId()), where + ": no published name");
            }
        }
    }

    private static boolean reached(World world, ServiceProcess doomed, KillPoint p) {
        return p.held() ? world.answerHeld(p.name(), p.nodeId())
                : doomed.log().contains("faults.pause-after=" + p.name() + ": node " + p.nodeId() + " ");
    }

    /** Settings both processes share: the world's, a short lease, a worker for every frozen node and then some. */
    private static Map<String, String> processConfig(World world, List<KillPoint> points) {
        Map<String, String> config = new LinkedHashMap<>(world.config());
        config.put("provisioning.lease-seconds", "3");
        config.put("provisioning.workers", String.valueOf(points.size() + 2));
        config.put("auth.jwt.secret", RunningService.JWT_SECRET);
        return config;
    }

    private static Node awaitNode(NodeStore nodes, String nodeId, ServiceProcess survivor, java.util.function.Predicate<Node> done) {
        Node[] last = new Node[1];
        RunningService.await(SETTLE, () -> {
            last[0] = nodes.find(nodeId).orElse(null);
            return last[0] != null && done.test(last[0]);
        }, () -> nodeId + " is " + (last[0] == null ? "absent" : last[0].state() + " " + last[0].history()) + "\n" + survivor.log());
        return last[0];
    }
}
