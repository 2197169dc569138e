package cloud.edgehive.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.model.BeanDefinition;
import org.apache.camel.model.ToDefinition;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import cloud.edgehive.harness.RunningService;
import cloud.edgehive.harness.StripeSigner;
import cloud.edgehive.pipeline.ProviderRejected;
import cloud.edgehive.pipeline.ProviderUnavailable;
import cloud.edgehive.store.DeadLetterStore;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeState;
import cloud.edgehive.store.SlotAllocator;

/**
 * The contract every shipped combination of providers keeps, run against each (add a combination:
 * one row in {@link #combinations()} and a {@link World}): a purchase delivered ten times at once
 * gives one READY node, one resource, one published name and one email with its URL; each provider
 * failing transiently is retried to READY, failing for good ends FAILED with a dead letter and the
 * completed steps undone in reverse; terminating leaves nothing (resources, names, slot). Faults are
 * the seam's own failures ({@link ProviderUnavailable}, {@link ProviderRejected}) raised right after
 * the provider acted (compute, access: so the failing step's own undo is exercised) or instead of
 * sending (mail). Crashes after each step, for each combination, are {@link ProviderCrashContractTest}'s (SIGKILL).
 */
class ProviderContractTest {

    private static final Duration SETTLE = Duration.ofSeconds(90);

    static Stream<Named<Supplier<World>>> combinations() {
        return Stream.of(
                Named.of("ec2+route53+smtp", Ec2Route53Smtp::new),
                Named.of("local+local+outbox", LocalLocalOutbox::new),
                Named.of("ecs+sslip+resend", EcsSslipResend::new),
                Named.of("ec2+cloudflare-tunnel+smtp", () -> new Ec2CloudflareTunnelSmtp("cloudflare-tunnel")),
                Named.of("ec2+cloudflare+smtp", () -> new Ec2CloudflareTunnelSmtp("cloudflare")));
    }

    /** Faults planned per node: the next ones a step throws for that node, then it passes. */
    static final class Faults {
        private final Map<String, Queue<RuntimeException>> planned = new ConcurrentHashMap<>();

        void plan(String nodeId, RuntimeException... faults) {
            planned.put(nodeId, new ConcurrentLinkedQueue<>(List.of(faults)));
        }

        /** A permanent fault repeats; a transient one is used up. */
        Processor at(String step) {
            return exchange -> {
                Node node = exchange.getVariable("node", Node.class);
                Queue<RuntimeException> faults = node == null ? null : planned.get(node.nodeId());
                RuntimeException next = faults == null ? null : faults.peek();
                if (next == null || !step.equals(stepOf(next))) {
                    return;
                }
                if (next instanceof ProviderUnavailable) {
                    faults.poll();
                }
                throw next;
            };
        }

        private static String stepOf(RuntimeException fault) {
            return fault instanceof ProviderUnavailable u ? u.provider() : ((ProviderRejected) fault).provider();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("combinations")
    void providersKeepTheContract(Supplier<World> combination) throws Exception {
        try (World world = combination.get();
             RunningService service = RunningService.start(world.profile(), world.config())) {
            Faults faults = new Faults();
            inject(service.context(), faults);
            List<String> made = new ArrayList<>();
            try {
                purchasedTenTimesAtOnceIsOneNode(world, service, made);
                eachProviderFailingTransientlyIsRetried(world, service, faults, made);
                eachProviderFailingForGoodIsUndoneInReverse(world, service, faults, made);
            } finally {
                for (String nodeId : made) {
                    terminatedLeavesNothing(world, service, nodeId);
                }
            }
        }
    }

    /**
     * The fault points: compute and access right after the step's provider call (the saga step's last
     * endpoint, its "do": launch-node, publish-access), mail instead of the send (send-mail). The
     * step's name in a fault says where.
     */
    private static void inject(CamelContext context, Faults faults) throws Exception {
        for (String step : List.of("launch-node", "publish-access")) {
            AdviceWith.adviceWith(context, step, a -> a.weaveByType(ToDefinition.class).selectLast().after().process(faults.at(step)));
        }
        AdviceWith.adviceWith(context, "send-mail", a -> a.weaveByType(BeanDefinition.class).selectFirst().before().process(faults.at("send-mail")));
    }

    private static void purchasedTenTimesAtOnceIsOneNode(World world, RunningService service, List<String> made) throws Exception {
        String user = "contract-dup";
        String event = StripeSigner.checkoutCompleted("evt_contract_dup", "cs_test_contract_dup", user, user + "@example.com",
                StripeSigner.PRO_PLAN);
        ExecutorService pool = Executors.newFixedThreadPool(10);
        try {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                answers.add(pool.submit(() -> service.postSignedWebhook(event).statusCode()));
            }
            for (Future<Integer> answer : answers) {
                assertEquals(200, answer.get());
            }
        } finally {
            pool.shutdown();
        }
        String nodeId = "cs_test_contract_dup-0";
        made.add(nodeId);
        Node node = settled(service, nodeId);
        assertReady(world, node, user + "@example.com");
        assertEquals(1, service.nodes().byUser(user).size(), "one node for the purchase");
    }

    private static void eachProviderFailingTransientlyIsRetried(World world, RunningService service, Faults faults,
                                                                 List<String> made) {
        List<String> steps = List.of("launch-node", "publish-access", "send-mail");
        for (String step : steps) {
            String id = "cs_test_contract_flaky_" + step.replace('-', '_');
            faults.plan(id + "-0", new ProviderUnavailable(step, "down for a moment", null),
                    new ProviderUnavailable(step, "still down", Duration.ofMillis(100)));
            purchase(service, id, "flaky-" + step);
            made.add(id + "-0");
        }
        for (String step : steps) {
            String id = "cs_test_contract_flaky_" + step.replace('-', '_') + "-0";
            Node node = settled(service, id);
            assertReady(world, node, "flaky-" + step + "@example.com");
        }
    }

    private static void eachProviderFailingForGoodIsUndoneInReverse(World world, RunningService service, Faults faults,
                                                                    List<String> made) {
        Map<String, String> undone = Map.of(
                "launch-node", "undone: launch-node, allocate-slot",
                "publish-access", "undone: publish-access, launch-node, allocate-slot",
                "send-mail", "undone: publish-access, launch-node, allocate-slot");
        for (String step : undone.keySet()) {
            String id = "cs_test_contract_broken_" + step.replace('-', '_');
            faults.plan(id + "-0", new ProviderRejected(step, "422", "refused for good"));
            purchase(service, id, "broken-" + step);
            made.add(id + "-0");
        }
        for (Map.Entry<String, String> expected : undone.entrySet()) {
            String step = expected.getKey();
            Node node = settled(service, "cs_test_contract_broken_" + step.replace('-', '_') + "-0");
            assertEquals(NodeState.FAILED, node.state(), () -> step + ": " + node.history());
            assertTrue(node.lastError().contains("refused for good"), node.lastError());
            assertTrue(node.lastError().contains(expected.getValue()), step + " undone in reverse: " + node.lastError());
            assertNotNull(node.deadLetterId(), "a dead letter");
            assertNotNull(service.bean("deadLetters", DeadLetterStore.class).find(node.deadLetterId()), "the dead letter is stored");
            assertNothingLeft(world, service, node);
            assertEquals(List.of(), world.mailsTo("broken-" + step + "@example.com"), "no email for a failed node");
        }
    }

    private static void terminatedLeavesNothing(World world, RunningService service, String nodeId) {
        Node before = service.nodes().get(nodeId);
        if (before.state() != NodeState.FAILED) {
            service.context().createProducerTemplate().sendBody("direct:terminate-node", nodeId);
        }
        Node node = service.awaitNode(nodeId, SETTLE, n -> n.state().isFinal());
        assertNothingLeft(world, service, node);
    }

    private static void assertReady(World world, Node node, String email) {
        assertEquals(NodeState.READY, node.state(), () -> world.name() + ": " + node.lastError() + " " + node.history());
        assertNotNull(node.url());
        assertEquals(1, world.liveResources(node.nodeId()), "one resource");
        List<String> mails = world.mailsTo(email);
        assertEquals(1, mails.size(), "one email");
        assertTrue(mails.get(0).contains(node.url()), "the email names " + node.url());
    }

    private static void assertNothingLeft(World world, RunningService service, Node node) {
        assertEquals(0, world.liveResources(node.nodeId()), node.nodeId() + ": no live resource");
        assertEquals(0, world.publishedNames(node.nodeId()), node.nodeId() + ": no published name");
        if (node.slot() != null) {
            // Free, or already reused by a later node: never still this node's.
            assertNotEquals(node.nodeId(), service.bean("slotAllocator", SlotAllocator.class).holder(node.slot()),
                    node.nodeId() + ": slot released");
        }
    }

    private static void purchase(RunningService service, String session, String name) {
        assertEquals(200, service.postSignedWebhook(StripeSigner.checkoutCompleted("evt_" + session, session, "user-" + name,
                name + "@example.com", StripeSigner.PRO_PLAN)).statusCode());
    }

    private static Node settled(RunningService service, String nodeId) {
        return service.awaitNode(nodeId, SETTLE, n -> n.state() == NodeState.READY || n.state().isFinal());
    }
}
