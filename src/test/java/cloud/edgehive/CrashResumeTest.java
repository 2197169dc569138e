package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.route53.Route53Client;

/**
 * The service process is SIGKILLed right after each recorded step and a fresh process takes over:
 * the node still ends READY with exactly one instance, one DNS record and one email.
 */
class CrashResumeTest {

    private static GreenMail smtp;
    private static String zoneId;
    private static final Ec2Client EC2 = RunningService.ec2();
    private static final Route53Client ROUTE53 = RunningService.route53();
    private static final NodeStore NODES = new NodeStore(RunningService.dynamo(), new Tables("edgehive-"), Clock.systemUTC(),
            "crash-test-reader", Duration.ofSeconds(1));

    @BeforeAll
    static void start() {
        Emulators.resetAws();
        smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        zoneId = ROUTE53.createHostedZone(b -> b.name("nodes.test.example").callerReference("crash-test")).hostedZone().id();
    }

    @AfterAll
    static void stop() {
        smtp.stop();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ALLOCATED", "INSTANCE_RECORDED", "RUNNING", "ACCESS_READY"})
    void killedRightAfterAStepAndResumedByAnotherProcess(String step) throws Exception {
        String session = "cs_test_crash_" + step.toLowerCase();
        String email = step.toLowerCase() + "@crash.example";
        Map<String, String> config = processConfig();
        config.put("faults.pause-after", step);
        try (ServiceProcess doomed = ServiceProcess.start("doomed-" + step, config)) {
            assertEquals(200, doomed.postSignedWebhook(StripeSigner.checkoutCompleted("evt_crash_" + step, session, "user-crash",
                    email, StripeSigner.PRO_PLAN)).statusCode());
            RunningService.await(Duration.ofSeconds(60), () -> reached(session + "-0", step), () -> "never reached " + step
                    + "\n" + doomed.log());
            doomed.kill();
        }
        try (ServiceProcess survivor = ServiceProcess.start("survivor-" + step, processConfig())) {
            Node node = awaitSettled(session + "-0", survivor);
            assertEquals(NodeState.READY, node.state(), () -> node.lastError() + "\n" + survivor.log());
            List<Instance> instances = new ArrayList<>();
            EC2.describeInstances(b -> b.filters(f -> f.name("tag:edgehive:node-id").values(node.nodeId())))
                    .reservations().forEach(r -> instances.addAll(r.instances()));
            assertEquals(1, instances.size(), "exactly one instance");
            assertEquals(node.instanceId(), instances.get(0).instanceId());
            assertEquals(1, ROUTE53.listResourceRecordSets(b -> b.hostedZoneId(zoneId)).resourceRecordSets().stream()
                    .filter(r -> r.name().startsWith(node.hostLabel() + ".")).count(), "exactly one DNS record");
            assertEquals(1, mailsTo(email), "exactly one email");
            assertNotNull(node.slot());
        }
    }

    private static boolean reached(String nodeId, String step) {
        Node node = NODES.find(nodeId).orElse(null);
        if (node == null) {
            return false;
        }
        if (step.equals("INSTANCE_RECORDED")) {
            return node.hasInstance();
        }
        return node.state() == NodeState.valueOf(step);
    }

    private static Node awaitSettled(String nodeId, ServiceProcess survivor) {
        Node[] last = new Node[1];
        RunningService.await(Duration.ofSeconds(90), () -> {
            last[0] = NODES.find(nodeId).orElseThrow();
            return last[0].state() == NodeState.READY || last[0].state().isFinal();
        }, () -> "node is " + last[0].state() + "\n" + survivor.log());
        return last[0];
    }

    private static Map<String, String> processConfig() {
        Map<String, String> config = RunningService.defaults(smtp.getSmtp().getPort(), zoneId);
        // A short lease, so the survivor may take over the dead process's work within seconds.
        config.put("provisioning.lease-seconds", "3");
        return config;
    }

    private static long mailsTo(String address) throws Exception {
        long count = 0;
        for (MimeMessage m : smtp.getReceivedMessages()) {
            if (m.getAllRecipients()[0].toString().equals(address)) {
                count++;
            }
        }
        return count;
    }
}
