package cloud.edgehive;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;

import cloud.edgehive.harness.Emulators;
import cloud.edgehive.harness.RunningService;
import cloud.edgehive.harness.StripeSigner;
import cloud.edgehive.harness.Tokens;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeState;
import cloud.edgehive.store.SlotAllocator;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * AWS faults injected by a proxy (WireMock in front of moto) and an SMTP outage: transient faults
 * end READY; a provider that keeps failing ends FAILED with everything undone and a dead letter,
 * and a replay once the fault is gone ends READY.
 */
class FaultInjectionTest {

    private static final String EC2_ERROR = "<Response><Errors><Error><Code>%s</Code><Message>injected</Message></Error></Errors>"
            + "<RequestID>injected</RequestID></Response>";
    private static final String ROUTE53_ERROR = "<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>injected</Message>"
            + "</Error><RequestId>injected</RequestId></ErrorResponse>";

    private static String zoneId;
    private WireMockServer ec2Proxy;
    private WireMockServer route53Proxy;
    private GreenMail smtp;

    @BeforeAll
    static void zone() {
        Emulators.resetAws();
        zoneId = RunningService.route53().createHostedZone(b -> b.name("nodes.test.example").callerReference("faults"))
                .hostedZone().id();
    }

    @BeforeEach
    void proxies() {
        ec2Proxy = proxyToMoto();
        route53Proxy = proxyToMoto();
        smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
    }

    @AfterEach
    void stop() {
        ec2Proxy.stop();
        route53Proxy.stop();
        smtp.stop();
    }

    @Test
    void transientFaultsForTheFirstCallsStillEndReady() {
        failFirst(ec2Proxy, 5, () -> post(urlPathEqualTo("/")), aResponse().withStatus(500).withBody(EC2_ERROR.formatted("InternalError")));
        failFirst(route53Proxy, 5, () -> post(urlPathMatching(".*/rrset/?")),
                aResponse().withStatus(400).withBody(ROUTE53_ERROR.formatted("Throttling")));
        ec2Proxy.stubFor(any(anyUrl()).atPriority(5).withRequestBody(containing("DescribeInstances"))
                .willReturn(aResponse().proxiedFrom(Emulators.moto().url()).withFixedDelay(300)));
        try (RunningService service = RunningService.start(config())) {
            Node node = purchase(service, "transient");
            assertEquals(NodeState.READY, node.state(), node::lastError);
            assertEquals(1, liveInstances(node.nodeId()).size());
            assertEquals(1, smtp.getReceivedMessages().length);
            assertEquals(5, served(ec2Proxy, 500, "Action="), "the EC2 faults were served");
            assertEquals(5, served(route53Proxy, 400, ""), "Route 53 throttled five times");
        }
    }

    @Test
    void launchesFailingForGoodEndFailedWithNothingLeftThenReplayEndsReady() {
        ec2Proxy.stubFor(post(urlPathEqualTo("/")).atPriority(1).withRequestBody(containing("Action=RunInstances"))
                .willReturn(aResponse().withStatus(503).withBody(EC2_ERROR.formatted("Unavailable"))));
        try (RunningService service = RunningService.start(config())) {
            Node failed = purchase(service, "ec2down");
            assertEquals(NodeState.FAILED, failed.state());
            assertNotNull(failed.deadLetterId());
            assertTrue(served(ec2Proxy, 503, "Action=RunInstances") >= 4, "the launch was tried, and refused");
            assertEquals(0, liveInstances(failed.nodeId()).size(), "nothing was created");
            assertNotNull(failed.slot(), "the node had a slot");
            assertNull(service.bean("slotAllocator", SlotAllocator.class).holder(failed.slot()), "its slot was released");

            ec2Proxy.resetMappings();
            ec2Proxy.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().proxiedFrom(Emulators.moto().url())));
            Node ready = replay(service, failed);
            assertEquals(1, liveInstances(ready.nodeId()).size());
            assertEquals(1, smtp.getReceivedMessages().length);
        }
    }

    @Test
    void dnsFailingForGoodTerminatesTheInstanceThenReplayEndsReady() {
        route53Proxy.stubFor(post(urlPathMatching(".*/rrset/?")).atPriority(1)
                .willReturn(aResponse().withStatus(500).withBody(ROUTE53_ERROR.formatted("InternalFailure"))));
        try (RunningService service = RunningService.start(config())) {
            Node failed = purchase(service, "dnsdown");
            assertEquals(NodeState.FAILED, failed.state());
            assertTrue(failed.lastError().contains("InternalFailure") || failed.lastError().contains("500"), failed.lastError());
            assertNotNull(failed.instanceId(), "an instance had been launched");
            assertEquals("terminated", instanceState(failed.instanceId()), "the launched instance was terminated");
            assertEquals(0, liveInstances(failed.nodeId()).size());
            assertNull(service.bean("slotAllocator", SlotAllocator.class).holder(failed.slot()));

            route53Proxy.resetMappings();
            route53Proxy.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().proxiedFrom(Emulators.moto().url())));
            Node ready = replay(service, failed);
            assertEquals(1, liveInstances(ready.nodeId()).size());
            assertEquals(1, smtp.getReceivedMessages().length);
        }
    }

    @Test
    void anOpenBreakerStopsCallingAProviderThatIsDown() {
        ec2Proxy.stubFor(post(urlPathEqualTo("/")).atPriority(1).withRequestBody(containing("Action=RunInstances"))
                .willReturn(aResponse().withStatus(503).withBody(EC2_ERROR.formatted("Unavailable"))));
        Map<String, String> config = config();
        config.put("breaker.minimum-calls", "2");
        config.put("breaker.window-size", "4");
        config.put("breaker.open-seconds", "60");
        config.put("provisioning.workers", "1");
        try (RunningService service = RunningService.start(config)) {
            List<Node> failed = new ArrayList<>();
            for (String name : List.of("breaker1", "breaker2", "breaker3")) {
                failed.add(purchase(service, name));
            }
            failed.forEach(n -> assertEquals(NodeState.FAILED, n.state()));
            assertTrue(failed.get(2).lastError().contains("CallNotPermitted"), failed.get(2).lastError());
            long launches = ec2Proxy.getAllServeEvents().stream()
                    .filter(e -> e.getRequest().getBodyAsString().contains("Action=RunInstances")).count();
            // The breaker opens after its 2 minimum calls, each of which the SDK tries 4 times: 8 requests.
            // Without it: 3 nodes x 4 attempts (1 + 3 redeliveries) x 4 SDK tries = 48 to a provider that is down.
            int sdkTries = 4;
            int withoutBreaker = failed.size() * (1 + Integer.parseInt(config.get("retry.max-redeliveries"))) * sdkTries;
            assertEquals(48, withoutBreaker);
            assertEquals(2 * sdkTries, launches, "RunInstances reached EC2 " + launches + " times, not " + withoutBreaker);
            failed.forEach(n -> assertEquals(0, liveInstances(n.nodeId()).size()));
        }
    }

    @Test
    void aCleanUpThatFailsIsRecordedAndTheReconcilerTerminatesTheLeftOver() {
        // DNS fails for good after the launch, and the compensating TerminateInstances fails too
        // (its four SDK tries); later calls pass, as the reconciler's will.
        route53Proxy.stubFor(post(urlPathMatching(".*/rrset/?")).atPriority(1)
                .willReturn(aResponse().withStatus(500).withBody(ROUTE53_ERROR.formatted("InternalFailure"))));
        failFirst(ec2Proxy, 4, () -> post(urlPathEqualTo("/")).withRequestBody(containing("Action=TerminateInstances")),
                aResponse().withStatus(500).withBody(EC2_ERROR.formatted("InternalError")));
        Map<String, String> config = config();
        config.put("reconciler.terminate-orphans", "true");
        config.put("reconciler.audit-interval-ms", "2000");
        try (RunningService service = RunningService.start(config)) {
            Node failed = purchase(service, "cleanupfails");
            assertEquals(NodeState.FAILED, failed.state());
            assertNotNull(failed.deadLetterId());
            assertTrue(failed.lastError().contains("clean-up incomplete: launch-node"), failed.lastError());
            assertEquals(4, served(ec2Proxy, 500, "Action=TerminateInstances"), "the clean-up's terminate was refused");
            assertNull(service.bean("slotAllocator", SlotAllocator.class).holder(failed.slot()), "the other undos still ran");
            RunningService.await(Duration.ofSeconds(60), () -> liveInstances(failed.nodeId()).isEmpty(),
                    () -> "the left-over instance of a FAILED node is still " + instanceState(failed.instanceId()));
            assertEquals("terminated", instanceState(failed.instanceId()));
        }
    }

    @Test
    void smtpDownThenUpSendsTheEmailOnce() {
        smtp.stop();
        int port = Emulators.freePort();
        Map<String, String> config = config();
        config.put("mail.smtp.port", String.valueOf(port));
        config.put("retry.max-redeliveries", "40");
        config.put("retry.delay-ms", "100");
        config.put("retry.max-delay-ms", "300");
        try (RunningService service = RunningService.start(config)) {
            String session = "cs_test_smtp_flaky";
            assertEquals(200, service.postSignedWebhook(StripeSigner.checkoutCompleted("evt_smtp_flaky", session, "user-smtp",
                    "flaky@example.com", StripeSigner.PRO_PLAN)).statusCode());
            service.awaitNode(session + "-0", Duration.ofSeconds(60), n -> n.state() == NodeState.ACCESS_READY);
            smtp = new GreenMail(new ServerSetup(port, "127.0.0.1", "smtp"));
            smtp.start();
            Node node = service.awaitNode(session + "-0", Duration.ofSeconds(60), n -> n.state() == NodeState.READY || n.state().isFinal());
            assertEquals(NodeState.READY, node.state(), node::lastError);
            assertEquals(1, smtp.getReceivedMessages().length);
        }
    }

    private Map<String, String> config() {
        Map<String, String> config = RunningService.defaults(smtp.getSmtp() == null ? 25 : smtp.getSmtp().getPort(), zoneId);
        config.put("aws.ec2.endpoint", ec2Proxy.baseUrl());
        config.put("aws.route53.endpoint", route53Proxy.baseUrl());
        return config;
    }

    private static WireMockServer proxyToMoto() {
        WireMockServer server = new WireMockServer(options().dynamicPort());
        server.start();
        server.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().proxiedFrom(Emulators.moto().url())));
        return server;
    }

    /** The first {@code count} matching calls get the fault; later ones go through to moto. */
    private static void failFirst(WireMockServer server, int count, java.util.function.Supplier<MappingBuilder> request,
                                  ResponseDefinitionBuilder fault) {
        String scenario = "fail-first-" + count;
        for (int i = 0; i < count; i++) {
            server.stubFor(request.get().atPriority(1).inScenario(scenario)
                    .whenScenarioStateIs(i == 0 ? Scenario.STARTED : "failed-" + i)
                    .willSetStateTo("failed-" + (i + 1))
                    .willReturn(fault));
        }
    }

    private static Node purchase(RunningService service, String name) {
        String session = "cs_test_fault_" + name;
        assertEquals(200, service.postSignedWebhook(StripeSigner.checkoutCompleted("evt_fault_" + name, session, "user-" + name,
                name + "@example.com", StripeSigner.PRO_PLAN)).statusCode());
        return service.awaitNode(session + "-0", Duration.ofSeconds(90), n -> n.state() == NodeState.READY || n.state().isFinal());
    }

    private static Node replay(RunningService service, Node failed) {
        var response = RunningService.send(HttpRequest.newBuilder(URI.create(service.url("/api/v1/admin/dead-letters/"
                        + failed.deadLetterId() + "/replay")))
                .header("Authorization", "Bearer " + Tokens.admin("ops")).POST(HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(202, response.statusCode(), response.body());
        Node ready = service.awaitNode(failed.nodeId(), Duration.ofSeconds(90), n -> n.state() == NodeState.READY
                || (n.state() == NodeState.FAILED && !failed.deadLetterId().equals(n.deadLetterId())));
        assertEquals(NodeState.READY, ready.state(), ready::lastError);
        return ready;
    }

    /** Responses with {@code status} the proxy served to requests whose body contains {@code body}. */
    private static long served(WireMockServer proxy, int status, String body) {
        return proxy.getAllServeEvents().stream()
                .filter(e -> e.getResponse().getStatus() == status && e.getRequest().getBodyAsString().contains(body)).count();
    }

    private static String instanceState(String instanceId) {
        return RunningService.ec2().describeInstances(b -> b.instanceIds(instanceId)).reservations().get(0).instances().get(0)
                .state().nameAsString();
    }

    private static List<Instance> liveInstances(String nodeId) {
        List<Instance> live = new ArrayList<>();
        RunningService.ec2().describeInstances(b -> b.filters(f -> f.name("tag:edgehive:node-id").values(nodeId).build(),
                        f -> f.name("instance-state-name").values("pending", "running", "stopping", "stopped").build()))
                .reservations().forEach(r -> live.addAll(r.instances()));
        return live;
    }
}
