package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import cloud.edgehive.harness.AwsRecorder;
import cloud.edgehive.harness.RunningService;
import cloud.edgehive.harness.ServiceProcess;
import cloud.edgehive.harness.StripeSigner;
import cloud.edgehive.harness.TestCloud;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeState;
import cloud.edgehive.store.NodeStore;
import cloud.edgehive.store.Tables;
import jakarta.mail.internet.MimeMessage;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * The service process is SIGKILLed right after each recorded step (it froze there: the node still
 * shows that step after the kill) and a fresh process takes over: the node ends READY with exactly
 * one instance and one DNS record, the survivor publishes DNS only if the dead process had not, and
 * one email, except in the window between the mail server accepting it and READY being recorded,
 * where the guarantee is at least once: the survivor sends it again, with the same Message-ID.
 */
class CrashResumeTest {

    /** How long a paused worker must be seen to stay put before it is killed. */
    private static final Duration HOLD = Duration.ofSeconds(2);

    private static TestCloud cloud;
    /** Route 53 as the survivor sees it: a proxy to moto that counts the record changes it makes. */
    private static AwsRecorder route53;
    private static final Ec2Client EC2 = RunningService.ec2();
    private static final NodeStore NODES = new NodeStore(RunningService.dynamo(), new Tables("edgehive-"), Clock.systemUTC(),
            "crash-test-reader", Duration.ofSeconds(1));

    @BeforeAll
    static void start() {
        cloud = TestCloud.fresh("crash-test");
        route53 = new AwsRecorder();
    }

    @AfterAll
    static void stop() {
        cloud.close();
        route53.close();
    }

    @ParameterizedTest(name = "killed after {0}")
    @CsvSource({
            // kill point,   state it froze in, DNS changes the survivor makes, emails in the end
            "ALLOCATED,         ALLOCATED,    1, 1",
            "INSTANCE_RECORDED, LAUNCHING,    1, 1",
            "RUNNING,           RUNNING,      1, 1",
            "ACCESS_READY,      ACCESS_READY, 0, 1",
            "MAIL_SENT,         ACCESS_READY, 0, 2"})
    void killedRightAfterAStepAndResumedByAnotherProcess(String step, NodeState frozenIn, int survivorDnsChanges, int emails)
            throws Exception {
        String session = "cs_test_crash_" + step.toLowerCase();
        String nodeId = session + "-0";
        String email = step.toLowerCase() + "@crash.example";
        Map<String, String> config = processConfig();
        config.put("faults.pause-after", step);
        try (ServiceProcess doomed = ServiceProcess.start("doomed-" + step, config)) {
            assertEquals(200, doomed.postSignedWebhook(StripeSigner.checkoutCompleted("evt_crash_" + step, session, "user-crash",
                    email, StripeSigner.PRO_PLAN)).statusCode());
            // Reached = the pause fired in the doomed process, not merely "the node got this far".
            RunningService.await(Duration.ofSeconds(60), () -> doomed.log().contains("faults.pause-after=" + step),
                    () -> "the pause after " + step + " never fired\n" + doomed.log());
            // Frozen = it stays there: a pause that logs but lets the worker go on would leave the
            // kill to chance (it lands in time when the next step is slow).
            long until = System.nanoTime() + HOLD.toNanos();
            while (System.nanoTime() < until) {
                NodeState now = NODES.find(nodeId).orElseThrow().state();
                assertEquals(frozenIn, now, () -> "the doomed process went on past " + step + " while paused");
                Thread.sleep(100);
            }
            doomed.kill();
        }
        Node frozen = NODES.find(nodeId).orElseThrow();
        assertEquals(frozenIn, frozen.state(), () -> "the doomed process went on past " + step + ": " + frozen.history());
        if (step.equals("INSTANCE_RECORDED")) {
            assertTrue(frozen.hasInstance(), "the instance is recorded");
        }
        assertEquals(step.equals("MAIL_SENT") ? 1 : 0, mailsTo(email).size(), "emails sent before the kill");

        route53.forget();
        Map<String, String> survivorConfig = processConfig();
        survivorConfig.put("aws.route53.endpoint", route53.url());
        // The survivor's own lease is long: under load a 3 s lease can lapse in the middle of its
        // launch, and a second worker would launch again (moto ignores the ClientToken AWS honours).
        survivorConfig.put("provisioning.lease-seconds", "60");
        try (ServiceProcess survivor = ServiceProcess.start("survivor-" + step, survivorConfig)) {
            Node node = awaitSettled(nodeId, survivor);
            assertEquals(NodeState.READY, node.state(), () -> node.lastError() + "\n" + survivor.log());
            List<Instance> instances = new ArrayList<>();
            EC2.describeInstances(b -> b.filters(f -> f.name("tag:edgehive:node-id").values(node.nodeId())))
                    .reservations().forEach(r -> instances.addAll(r.instances()));
            assertEquals(1, instances.size(), "exactly one instance");
            assertEquals(node.instanceId(), instances.get(0).instanceId());
            assertEquals(1, RunningService.route53().listResourceRecordSets(b -> b.hostedZoneId(cloud.zoneId())).resourceRecordSets()
                    .stream().filter(r -> r.name().startsWith(node.hostLabel() + ".")).count(), "exactly one DNS record");
            assertEquals(survivorDnsChanges, route53.route53Changes(node.hostLabel()), "record changes the survivor made");
            assertNotNull(node.slot());
            List<MimeMessage> mails = cloud.settledMailsTo(email, node.hostLabel(), emails);
            assertEquals(emails, mails.size(), "emails to " + email);
            Set<String> ids = mails.stream().map(CrashResumeTest::messageId).collect(Collectors.toSet());
            assertEquals(1, ids.size(), "a resent email carries the first one's Message-ID: " + ids);
        }
    }

    private static Node awaitSettled(String nodeId, ServiceProcess survivor) {
        Node[] last = new Node[1];
        RunningService.await(Duration.ofSeconds(90), () -> {
            last[0] = NODES.find(nodeId).orElseThrow();
            return last[0].state() == NodeState.READY || last[0].state().isFinal();
        }, () -> "node is " + last[0].state() + "\n" + survivor.log());
        return last[0];
    }

    private static List<MimeMessage> mailsTo(String address) {
        return cloud.mailsTo(address);
    }

    private static String messageId(MimeMessage message) {
        try {
            return message.getMessageID();
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> processConfig() {
        Map<String, String> config = cloud.config();
        // A short lease, so the survivor may take over the dead process's work within seconds.
        config.put("provisioning.lease-seconds", "3");
        return config;
    }
}
