package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;

import cloud.edgehive.harness.Emulators;
import cloud.edgehive.harness.RunningService;
import cloud.edgehive.harness.ServiceProcess;
import cloud.edgehive.harness.StripeSigner;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeState;
import cloud.edgehive.store.NodeStore;
import cloud.edgehive.store.Tables;
import jakarta.mail.internet.MimeMessage;
import software.amazon.awssdk.services.ec2.Ec2Client;

/** Two service processes on one DynamoDB get every event twice, interleaved: one node per purchase. */
class ReplicasTest {

    private static final int PURCHASES = 20;
    private static GreenMail smtp;
    private static String zoneId;
    private static final Ec2Client EC2 = RunningService.ec2();

    @BeforeAll
    static void start() {
        Emulators.resetAws();
        smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        zoneId = RunningService.route53().createHostedZone(b -> b.name("nodes.test.example").callerReference("replicas"))
                .hostedZone().id();
    }

    @AfterAll
    static void stop() {
        smtp.stop();
    }

    @Test
    void duplicatedInterleavedEventsAcrossReplicasMakeOneNodePerPurchase() throws Exception {
        Map<String, String> config = new HashMap<>(RunningService.defaults(smtp.getSmtp().getPort(), zoneId));
        Map<String, String> configA = new HashMap<>(config);
        configA.put("service.instance-id", "replica-a");
        Map<String, String> configB = new HashMap<>(config);
        configB.put("service.instance-id", "replica-b");
        Map<String, Integer> finishedBy = new HashMap<>();
        try (ServiceProcess a = ServiceProcess.start("replica-a", configA);
             ServiceProcess b = ServiceProcess.start("replica-b", configB)) {
            List<Runnable> deliveries = new ArrayList<>();
            for (int i = 0; i < PURCHASES; i++) {
                String payload = StripeSigner.checkoutCompleted("evt_replica_" + i, "cs_test_replica_" + i, "user-replica-" + i,
                        "replica" + i + "@example.com", StripeSigner.PRO_PLAN);
                deliveries.add(() -> assertEquals(200, a.postSignedWebhook(payload).statusCode()));
                deliveries.add(() -> assertEquals(200, b.postSignedWebhook(payload).statusCode()));
                ServiceProcess either = i % 2 == 0 ? a : b;
                deliveries.add(() -> assertEquals(200, either.postSignedWebhook(payload).statusCode()));
            }
            Collections.shuffle(deliveries, new Random(42));
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<?>> sent = new ArrayList<>();
            deliveries.forEach(d -> sent.add(pool.submit(d)));
            for (Future<?> f : sent) {
                f.get();
            }
            pool.shutdown();

            NodeStore nodes = new NodeStore(RunningService.dynamo(), new Tables("edgehive-"), Clock.systemUTC(), "reader",
                    Duration.ofSeconds(1));
            for (int i = 0; i < PURCHASES; i++) {
                String id = "cs_test_replica_" + i + "-0";
                Node[] node = new Node[1];
                RunningService.await(Duration.ofSeconds(120), () -> {
                    node[0] = nodes.find(id).orElse(null);
                    return node[0] != null && (node[0].state() == NodeState.READY || node[0].state().isFinal());
                }, () -> id + " is " + (node[0] == null ? "absent" : node[0].state()) + "\nA:\n" + a.log() + "\nB:\n" + b.log());
                assertEquals(NodeState.READY, node[0].state(), node[0]::lastError);
                assertEquals(1, EC2.describeInstances(r -> r.filters(f -> f.name("tag:edgehive:node-id").values(id)))
                        .reservations().stream().mapToInt(r -> r.instances().size()).sum(), "one instance for " + id);
                assertEquals(1, nodes.byUser("user-replica-" + i).size(), "one node for purchase " + i);
                assertEquals(1, node[0].history().stream().filter(h -> "READY".equals(h.get("state"))).count(), "READY once: " + id);
                // The lease token names the replica whose worker took the node last.
                finishedBy.merge(node[0].leaseOwner().substring(0, node[0].leaseOwner().indexOf('/')), 1, Integer::sum);
            }
            assertEquals(java.util.Set.of("replica-a", "replica-b"), finishedBy.keySet(), "both replicas did work: " + finishedBy);
            Map<String, Integer> mails = new HashMap<>();
            for (MimeMessage m : smtp.getReceivedMessages()) {
                mails.merge(m.getAllRecipients()[0].toString(), 1, Integer::sum);
            }
            assertEquals(PURCHASES, mails.size());
            mails.forEach((to, count) -> assertEquals(1, count, "one email to " + to));
        }
    }
}
