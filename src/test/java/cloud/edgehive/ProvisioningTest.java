package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.icegreen.greenmail.util.GreenMailUtil;

import cloud.edgehive.harness.RunningService;
import cloud.edgehive.harness.TestCloud;
import cloud.edgehive.store.SlotAllocator;
import cloud.edgehive.store.NodeRequest;
import cloud.edgehive.store.DeadLetterStore;
import cloud.edgehive.harness.StripeSigner;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeState;
import jakarta.mail.internet.MimeMessage;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;

/** A signed checkout event becomes exactly one READY EC2 node with a DNS record and one email. */
class ProvisioningTest {

    private static final Duration READY_WITHIN = Duration.ofSeconds(60);

    private static TestCloud cloud;
    private static RunningService service;
    private static final Ec2Client EC2 = RunningService.ec2();
    private static final Route53Client ROUTE53 = RunningService.route53();

    @BeforeAll
    static void start() {
        cloud = TestCloud.fresh("provisioning");
        service = RunningService.start(cloud.config());
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (cloud != null) {
            cloud.close();
        }
    }

    @Test
    void paidCheckoutBecomesOneReadyNode() throws Exception {
        String session = "cs_test_happy";
        var response = service.postSignedWebhook(StripeSigner.checkoutCompleted("evt_happy", session, "user-happy",
                "happy@example.com", "{\"plan\":\"pro\",\"region\":\"us-east-1\",\"instanceType\":\"t4g.small\",\"storageGb\":\"50\"}"));
        assertEquals(200, response.statusCode(), response.body());

        Node node = service.awaitNode(session + "-0", READY_WITHIN, n -> n.state().isFinal() || n.state() == NodeState.READY);
        assertEquals(NodeState.READY, node.state(), () -> "node ended " + node.state() + ": " + node.lastError());

        List<Instance> instances = instancesOf(node.nodeId());
        assertEquals(1, instances.size());
        Instance instance = instances.get(0);
        assertEquals(node.instanceId(), instance.instanceId());
        assertEquals("t4g.small", instance.instanceTypeAsString());
        assertEquals("required", instance.metadataOptions().httpTokensAsString());
        Map<String, String> tags = new java.util.HashMap<>();
        instance.tags().forEach(t -> tags.put(t.key(), t.value()));
        assertEquals(node.nodeId(), tags.get("edgehive:node-id"));
        assertEquals("user-happy", tags.get("edgehive:user-id"));
        assertEquals("pro", tags.get("edgehive:plan"));
        assertEquals("edge-hive-cloud", tags.get("managed-by"));

        String userData = new String(Base64.getDecoder().decode(EC2.describeInstanceAttribute(b -> b
                .instanceId(instance.instanceId()).attribute("userData")).userData().value()), StandardCharsets.UTF_8);
        assertTrue(userData.contains("NODE_ID='" + node.nodeId() + "'"), userData);
        assertTrue(userData.contains("INSTALL_URL='https://edge-hive.io/install.sh'"), userData);
        assertTrue(userData.matches("(?s).*NODE_TOKEN='ehn_[0-9a-f]{64}'.*"), userData);

        var volume = EC2.describeVolumes(b -> b.filters(f -> f.name("attachment.instance-id").values(instance.instanceId())))
                .volumes().get(0);
        assertEquals(50, volume.size());
        assertTrue(volume.encrypted());
        assertEquals("gp3", volume.volumeTypeAsString());

        ResourceRecordSet record = recordOf(node.hostLabel() + ".nodes.test.example.");
        assertNotNull(record, "Route 53 record for " + node.hostLabel());
        assertEquals(instance.publicIpAddress(), record.resourceRecords().get(0).value());
        assertEquals("https://" + node.hostLabel() + ".nodes.test.example", node.url());

        List<MimeMessage> mails = cloud.settledMailsTo("happy@example.com", node.hostLabel(), 1);
        assertEquals(1, mails.size());
        assertEquals("Your Edge Hive node " + node.hostLabel() + " is ready", mails.get(0).getSubject());
        String body = GreenMailUtil.getBody(mails.get(0));
        assertTrue(body.contains(node.url()), body);
        assertTrue(body.contains("text/plain") && body.contains("text/html"), "multipart alternative: " + body);

        // Each step that did something is recorded with its undo; after-access, with no hook function set, did nothing and wrote nothing.
        assertEquals(List.of("allocate-slot", "launch-node", "await-running", "publish-access", "notify-user"),
                node.saga().stream().map(step -> step.get("step")).toList());
    }

    @Test
    void duplicateDeliveriesProvisionOnce() throws Exception {
        String session = "cs_test_dupes";
        String payload = StripeSigner.checkoutCompleted("evt_dupes", session, "user-dupes", "dupes@example.com", StripeSigner.PRO_PLAN);
        for (int i = 0; i < 5; i++) {
            assertEquals(200, service.postSignedWebhook(payload).statusCode());
        }
        String concurrentSession = "cs_test_dupes_concurrent";
        String concurrentPayload = StripeSigner.checkoutCompleted("evt_dupes_concurrent", concurrentSession, "user-dupes",
                "dupes@example.com", StripeSigner.PRO_PLAN);
        ExecutorService pool = Executors.newFixedThreadPool(5);
        List<Future<Integer>> answers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            answers.add(pool.submit(() -> service.postSignedWebhook(concurrentPayload).statusCode()));
        }
        for (Future<Integer> answer : answers) {
            assertEquals(200, answer.get());
        }
        pool.shutdown();

        for (String s : List.of(session, concurrentSession)) {
            Node node = service.awaitNode(s + "-0", READY_WITHIN, n -> n.state().isFinal() || n.state() == NodeState.READY);
            assertEquals(NodeState.READY, node.state(), node::lastError);
            assertEquals(1, instancesOf(node.nodeId()).size());
            assertNotNull(recordOf(node.hostLabel() + ".nodes.test.example."));
            assertEquals(1, cloud.settledMailsTo("dupes@example.com", node.hostLabel(), 1).size(), "one email for " + node.nodeId());
        }
        assertNull(service.nodes().find(session + "-1").orElse(null));
    }

    @Test
    void permanentDnsFailureCompensates() throws Exception {
        Map<String, String> overrides = RunningService.defaults(cloud.smtp().getSmtp().getPort(), "ZNOSUCHZONE123");
        overrides.put("store.table-prefix", "dnsfail-");
        overrides.put("slots.pool", "dnsfail");
        try (RunningService broken = RunningService.start(overrides)) {
            String session = "cs_test_dnsfail";
            assertEquals(200, broken.postSignedWebhook(StripeSigner.checkoutCompleted("evt_dnsfail", session, "user-dnsfail",
                    "dnsfail@example.com", StripeSigner.PRO_PLAN)).statusCode());
            Node node = broken.awaitNode(session + "-0", READY_WITHIN, n -> n.state().isFinal() || n.state() == NodeState.READY);
            assertEquals(NodeState.FAILED, node.state());
            assertNotNull(node.deadLetterId());
            assertTrue(node.lastError().contains("NoSuchHostedZone"), node.lastError());
            assertNotNull(broken.bean("deadLetters", DeadLetterStore.class).find(node.deadLetterId()));
            List<Instance> instances = instancesOf(node.nodeId());
            assertEquals(1, instances.size());
            assertEquals("terminated", instances.get(0).state().nameAsString());
            assertNull(broken.bean("slotAllocator", SlotAllocator.class).holder(node.slot()));
            assertTrue(cloud.mailsTo("dnsfail@example.com").isEmpty());
        }
    }

    @Test
    void aLaunchThatWasNeverRecordedIsFoundByTagNotRepeated() {
        // A worker died between RunInstances and recording the instance id: LAUNCHING, no id. The
        // instance exists first, so whichever worker picks the node up (this test's hand-off or the
        // reconciler) must find it by tag.
        String id = "cs_test_unrecorded-0";
        String launched = EC2.runInstances(b -> b.imageId(EC2.describeImages(i -> i.owners("amazon")).images().get(0).imageId())
                .minCount(1).maxCount(1).instanceType("t4g.small").tagSpecifications(t -> t.resourceType("instance")
                        .tags(x -> x.key("edgehive:node-id").value(id)))).instances().get(0).instanceId();
        service.nodes().create(new NodeRequest(id, "user-unrecorded", "unrecorded@example.com", "pro",
                "us-east-1", "t4g.small", 10, "cs_test_unrecorded", null, null));

        service.context().createProducerTemplate().sendBody("seda:node-work", id);
        Node node = service.awaitNode(id, READY_WITHIN, n -> n.state() == NodeState.READY || n.state().isFinal());
        assertEquals(NodeState.READY, node.state(), node::lastError);
        assertEquals(launched, node.instanceId());
        assertEquals(1, instancesOf(id).size(), "no second instance");
    }

    private static List<Instance> instancesOf(String nodeId) {
        List<Instance> all = new ArrayList<>();
        EC2.describeInstances(b -> b.filters(f -> f.name("tag:edgehive:node-id").values(nodeId)))
                .reservations().forEach(r -> all.addAll(r.instances()));
        return all;
    }

    private static ResourceRecordSet recordOf(String name) {
        return ROUTE53.listResourceRecordSets(b -> b.hostedZoneId(cloud.zoneId())).resourceRecordSets().stream()
                .filter(r -> r.name().equals(name)).findFirst().orElse(null);
    }
}
