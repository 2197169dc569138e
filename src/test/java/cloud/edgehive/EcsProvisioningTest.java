package cloud.edgehive;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.apache.camel.Exchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import cloud.edgehive.harness.RunningService;
import cloud.edgehive.harness.StripeSigner;
import cloud.edgehive.harness.TestCloud;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeState;
import cloud.edgehive.store.SlotAllocator;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;

/**
 * ecs + sslip + resend end to end (the container combination the product ships; Resend played by
 * WireMock): a purchase becomes one task on the shared host, reached at
 * {@code http://<node>.<host-ip-with-dashes>.sslip.io:<slot port>}, emailed once however often (and
 * however concurrently) Stripe delivers the event; suspend stops the task and keeps the slot, resume
 * and a restart that died half-way run a new task on it; terminate leaves nothing.
 */
class EcsProvisioningTest {

    private static final String REGION = "us-east-1";
    private static final String CLUSTER = "edgehive-nodes";

    private static TestCloud cloud;
    private static TestCloud.EcsHost host;
    private static RunningService service;
    private static WireMockServer resend;
    private static final EcsClient ECS = RunningService.ecs(REGION);

    @BeforeAll
    static void start() {
        cloud = TestCloud.fresh("ecs-provisioning");
        host = TestCloud.ecsHost(REGION, CLUSTER);
        Map<String, String> config = new HashMap<>(cloud.config());
        config.putAll(TestCloud.ecsConfig(CLUSTER));
        resend = new WireMockServer(options().dynamicPort());
        resend.start();
        resend.stubFor(post("/emails").willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":\"4ef9a417-02e9-4d39-ad75-9611e0fcc33c\"}")));
        config.put("mail.provider", "resend");
        config.put("mail.resend.base-url", resend.baseUrl());
        config.put("mail.resend.api-key", "re_test_ecs_" + Long.toHexString(System.nanoTime()));
        service = RunningService.start(config);
    }

    @AfterAll
    static void stop() {
        service.close();
        resend.stop();
        cloud.close();
    }

    @Test
    void oneEventTenTimesAtOnceIsOneTaskOneUrlOneEmail() throws Exception {
        String session = "cs_test_ecs_burst";
        String payload = StripeSigner.checkoutCompleted("evt_ecs_burst", session, "user-ecs", "ecs@example.com", StripeSigner.PRO_PLAN);
        ExecutorService pool = Executors.newFixedThreadPool(10);
        try {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                answers.add(pool.submit(() -> service.postSignedWebhook(payload).statusCode()));
            }
            for (Future<Integer> answer : answers) {
                assertEquals(200, answer.get());
            }
        } finally {
            pool.shutdown();
        }
        Node node = service.awaitNode(session + "-0", Duration.ofSeconds(90), n -> n.state() == NodeState.READY || n.state().isFinal());
        assertEquals(NodeState.READY, node.state(), node::lastError);

        List<String> tasks = ECS.listTasks(b -> b.cluster(CLUSTER).startedBy(node.nodeId()).desiredStatus(DesiredStatus.RUNNING)).taskArns();
        assertEquals(List.of(node.instanceId()), tasks, "one task, the recorded one");
        int port = service.bean("slotAllocator", SlotAllocator.class).portOf(node.slot());
        assertEquals(host.publicIp(), node.host());
        assertEquals(port, node.port());
        String url = "http://" + node.hostLabel() + "." + host.publicIp().replace('.', '-') + ".sslip.io:" + port;
        assertEquals(url, node.url());

        List<LoggedRequest> mails = mailsTo("ecs@example.com");
        assertEquals(1, mails.size(), "one email");
        assertTrue(mails.get(0).getBodyAsString().contains(url), mails.get(0).getBodyAsString());

        // Suspended (non-payment): the task stops, the slot stays the node's; resumed: a new task on
        // the same port, the same URL, and no email about it.
        Exchange suspend = service.context().createProducerTemplate().send("direct:suspend-node", e -> {
            e.getMessage().setBody(node.nodeId());
            e.setVariable("reason", "payment overdue");
        });
        assertNull(suspend.getException());
        Node suspended = service.nodes().get(node.nodeId());
        assertEquals(NodeState.SUSPENDED, suspended.state(), suspended::lastError);
        assertEquals(List.of(), running(node), "no task while suspended");
        assertEquals(node.nodeId(), service.bean("slotAllocator", SlotAllocator.class).holder(node.slot()), "the slot is kept");
        Exchange resume = service.context().createProducerTemplate().send("direct:resume-node", e -> {
            e.getMessage().setBody(node.nodeId());
            e.setVariable("reason", "paid");
        });
        assertNull(resume.getException());
        Node resumed = service.awaitNode(node.nodeId(), Duration.ofSeconds(60), n -> n.state() == NodeState.READY);
        List<String> afterResume = running(node);
        assertEquals(List.of(resumed.instanceId()), afterResume, "one new task, recorded");
        assertNotEquals(node.instanceId(), resumed.instanceId());
        assertEquals(url, resumed.url(), "same port, same URL");

        // A restart is StopTask then RunTask. A process that died between the two left the node
        // RESTARTING with no task: the reconciler finishes it with a new task on the same slot.
        Node restarting = service.bean("lifecycle", cloud.edgehive.pipeline.Lifecycle.class).beginRestart(node.nodeId());
        ECS.stopTask(b -> b.cluster(CLUSTER).task(resumed.instanceId()).reason("the restart's first half"));
        service.nodes().release(restarting);
        Node restarted = service.awaitNode(node.nodeId(), Duration.ofSeconds(60), n -> n.state() == NodeState.READY);
        assertEquals(List.of(restarted.instanceId()), running(node), "one task again, recorded");
        assertNotEquals(resumed.instanceId(), restarted.instanceId());
        assertEquals(url, restarted.url());
        assertEquals(1, mailsTo("ecs@example.com").size(), "still the one ready email");

        Exchange terminate = service.context().createProducerTemplate().send("direct:terminate-node", e -> {
            e.getMessage().setBody(node.nodeId());
            e.setVariable("reason", "user request");
        });
        assertNull(terminate.getException());
        assertEquals(NodeState.TERMINATED, service.nodes().get(node.nodeId()).state());
        assertEquals(List.of(), ECS.listTasks(b -> b.cluster(CLUSTER).desiredStatus(DesiredStatus.RUNNING)).taskArns(), "no task left");
        assertNull(service.bean("slotAllocator", SlotAllocator.class).holder(node.slot()), "slot released");
        List<LoggedRequest> after = mailsTo("ecs@example.com");
        assertEquals(2, after.size(), "the ready email and one termination email");
        assertTrue(after.stream().filter(m -> m.getBodyAsString().contains("terminated")).count() == 1, "one termination email");
    }

    private static List<String> running(Node node) {
        return ECS.listTasks(b -> b.cluster(CLUSTER).startedBy(node.nodeId()).desiredStatus(DesiredStatus.RUNNING)).taskArns();
    }

    private static List<LoggedRequest> mailsTo(String email) {
        return resend.findAll(postRequestedFor(urlPathEqualTo("/emails")).withRequestBody(containing(email)));
    }
}
