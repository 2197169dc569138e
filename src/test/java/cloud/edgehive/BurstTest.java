package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;


import cloud.edgehive.harness.RunningService;
import cloud.edgehive.harness.TestCloud;
import cloud.edgehive.harness.StripeSigner;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeState;
import jakarta.mail.internet.MimeMessage;

/**
 * A burst of purchases, each delivered twice: every one ends READY with its own instance, slot and
 * email; none lost, none duplicated. 200 in the default suite; {@code -Dburst.purchases=1000} for
 * the longer run the README describes.
 */
class BurstTest {

    private static final int PURCHASES = Integer.getInteger("burst.purchases", 200);
    private static TestCloud cloud;
    private static RunningService service;

    @BeforeAll
    static void start() {
        cloud = TestCloud.fresh("burst");
        Map<String, String> config = cloud.config();
        config.put("provisioning.workers", "8");
        config.put("stripe.event-workers", "4");
        config.put("provisioning.queue-size", String.valueOf(PURCHASES * 3));
        config.put("stripe.event-queue-size", String.valueOf(PURCHASES * 3));
        service = RunningService.start(config);
    }

    @AfterAll
    static void stop() {
        service.close();
        cloud.close();
    }

    @Test
    void everyPurchaseEndsReadyExactlyOnce() throws Exception {
        long started = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Integer>> answers = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < PURCHASES; i++) {
                String payload = StripeSigner.checkoutCompleted("evt_burst_" + i, "cs_test_burst_" + i, "user-burst-" + i,
                        "burst" + i + "@example.com", StripeSigner.PRO_PLAN);
                answers.add(pool.submit(() -> service.postSignedWebhook(payload).statusCode()));
            }
        }
        for (Future<Integer> answer : answers) {
            assertEquals(200, answer.get());
        }
        pool.shutdown();
        long accepted = System.nanoTime();

        Set<Integer> slots = new HashSet<>();
        Set<String> instances = new HashSet<>();
        for (int i = 0; i < PURCHASES; i++) {
            Node node = service.awaitNode("cs_test_burst_" + i + "-0", Duration.ofSeconds(PURCHASES),
                    n -> n.state() == NodeState.READY || n.state().isFinal());
            assertEquals(NodeState.READY, node.state(), node::lastError);
            slots.add(node.slot());
            instances.add(node.instanceId());
        }
        long ready = System.nanoTime();
        assertEquals(PURCHASES, slots.size(), "distinct slots");
        assertEquals(PURCHASES, instances.size(), "distinct instances");
        int live = RunningService.ec2().describeInstancesPaginator(b -> b.filters(
                        f -> f.name("tag:managed-by").values("edge-hive-cloud").build(),
                        f -> f.name("instance-state-name").values("running").build()))
                .reservations().stream().mapToInt(r -> r.instances().size()).sum();
        assertEquals(PURCHASES, live, "one running instance per purchase, no duplicates");
        Map<String, Integer> mails = new HashMap<>();
        for (MimeMessage m : cloud.smtp().getReceivedMessages()) {
            mails.merge(m.getAllRecipients()[0].toString(), 1, Integer::sum);
        }
        assertEquals(PURCHASES, mails.size(), "an email for every purchase");
        mails.forEach((to, count) -> assertEquals(1, count, "one email to " + to));
        System.out.printf("burst: %d purchases (%d deliveries) accepted in %d ms, all READY after %d ms%n",
                PURCHASES, PURCHASES * 2, (accepted - started) / 1_000_000, (ready - started) / 1_000_000);
    }
}
