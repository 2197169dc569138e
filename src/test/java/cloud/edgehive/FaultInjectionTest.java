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

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;

import cloud.edgehive.harness.Emulators;
import cloud.edgehive.harness.RunningService;
import cloud.edgehive.harness.ServiceTest;
import cloud.edgehive.harness.StripeSigner;
import cloud.edgehive.harness.Tokens;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeState;
import cloud.edgehive.store.SlotAllocator;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * AWS faults injected by a proxy (WireMock in front of moto) and an SMTP outage: transient faults
 * end READY; a provider that keeps failing ends FAILED with everything undone and a dead letter,
 * and a replay once the fault is gone ends READY. Each test has its own proxies, SMTP server and
 * service, booted by Camel's test kit (a context per test); settings a test needs changed are on it
 * ({@link With}). A purchase or a replay waits for the node's work to finish (NotifyBuilder).
 */
class FaultInjectionTest extends ServiceTest {

    /** Settings one test runs the service with, besides the class's. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @interface With {
        String[] value();
    }

    private static final String EC2_ERROR = "<Response><Errors><Error><Code>%s</Code><Message>injected</Message></Error></Errors>"
            + "<RequestID>injected</RequestID></Response>";
    private static final String ROUTE53_ERROR = "<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>injected</Message>"
            + "</Error><RequestId>injected</RequestId></ErrorResponse>";

    private static String zoneId;
    // Made with the test instance: the kit starts the service, pointed at them, before any @BeforeEach.
    private final WireMockServer ec2Proxy = proxyToMoto();
    private final WireMockServer route53Proxy = proxyToMoto();
    private GreenMail smtp = smtpServer();
    private final Map<String, String> testSettings = new LinkedHashMap<>();

    /** A new instance, and service, per test: its {@link With} settings are known before the kit builds the service. */
    FaultInjectionTest(TestInfo test) {
        test.getTestMethod().map(method -> method.getAnnotation(With.class)).ifPresent(with -> {
            for (String setting : with.value()) {
                testSettings.put(setting.substring(0, setting.indexOf('=')), setting.substring(setting.indexOf('=') + 1));
            }
        });
    }

    @BeforeAll
    static void zone() {
        Emulators.resetAws();
        zoneId = RunningService.route53().createHostedZone(b -> b.name("nodes.test.example").callerReference("faults"))
                .hostedZone().id();
    }

    @Override
    protected Map<String, String> settings() {
        Map<String, String> config = RunningService.defaults(smtp.getSmtp().getPort(), zoneId);
        config.put("aws.ec2.endpoint", ec2Proxy.baseUrl());
        config.put("aws.route53.endpoint", route53Proxy.baseUrl());
        config.putAll(testSettings);
        return config;
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
        Node node = purchase("transient");
        assertEquals(NodeState.READY, node.state(), node::lastError);
        assertEquals(1, liveInstances(node.nodeId()).size());
        assertEquals(1, smtp.getReceivedMessages().length);
        assertEquals(5, served(ec2Proxy, 500, "Action="), "the EC2 faults were served");
        assertEquals(5, served(route53Proxy, 400, ""), "Route 53 throttled five times");
    }

    @Test
    void launchesFailingForGoodEndFailedWithNothingLeftThenReplayEndsReady() {
        ec2Proxy.stubFor(post(urlPathEqualTo("/")).atPriority(1).withRequestBody(containing("Action=RunInstances"))
                .willReturn(aResponse().withStatus(503).withBody(EC2_ERROR.formatted("Unavailable"))));
        Node failed = purchase("ec2down");
        assertEquals(NodeState.FAILED, failed.state());
        assertNotNull(failed.deadLetterId());
        assertTrue(served(ec2Proxy, 503, "Action=RunInstances") >= 4, "the launch was tried, and refused");
        assertEquals(0, liveInstances(failed.nodeId()).size(), "nothing was created");
        assertNotNull(failed.slot(), "the node had a slot");
        assertNull(service.bean("slotAllocator", SlotAllocator.class).holder(failed.slot()), "its slot was released");

        replayOnceFixed(ec2Proxy, failed);
    }

    @Test
    void dnsFailingForGoodTerminatesTheInstanceThenReplayEndsReady() {
        route53Proxy.stubFor(post(urlPathMatching(".*/rrset/?")).atPriority(1)
                .willReturn(aResponse().withStatus(500).withBody(ROUTE53_ERROR.formatted("InternalFailure"))));
        Node failed = purchase("dnsdown");
        assertEquals(NodeState.FAILED, failed.state());
        assertTrue(failed.lastError().contains("InternalFailure") || failed.lastError().contains("500"), failed.lastError());
        assertNotNull(failed.instanceId(), "an instance had been launched");
        assertEquals("terminated", instanceState(failed.instanceId()), "the launched instance was terminated");
        assertEquals(0, liveInstances(failed.nodeId()).size());
        assertNull(service.bean("slotAllocator", SlotAllocator.class).holder(failed.slot()));

        replayOnceFixed(route53Proxy, failed);
    }

    @Test
    @With({ "breaker.minimum-calls=2", "breaker.window-size=4", "breaker.open-seconds=60", "provisioning.workers=1" })
    void anOpenBreakerStopsCallingAProviderThatIsDown() {
        ec2Proxy.stubFor(post(urlPathEqualTo("/")).atPriority(1).withRequestBody(containing("Action=RunInstances"))
                .willReturn(aResponse().withStatus(503).withBody(EC2_ERROR.formatted("Unavailable"))));
        List<Node> failed = new ArrayList<>();
        for (String name : List.of("breaker1", "breaker2", "breaker3")) {
            failed.add(purchase(name));
        }
        failed.forEach(n -> assertEquals(NodeState.FAILED, n.state()));
        assertTrue(failed.get(2).lastError().contains("CallNotPermitted"), failed.get(2).lastError());
        long launches = ec2Proxy.getAllServeEvents().stream()
                .filter(e -> e.getRequest().getBodyAsString().contains("Action=RunInstances")).count();
        // The breaker opens after its 2 minimum calls, each of which the SDK tries 4 times: 8 requests.
        // Without it: 3 nodes x 4 attempts (1 + 3 redeliveries) x 4 SDK tries = 48 to a provider that is down.
        int sdkTries = 4;
        int withoutBreaker = failed.size() * (1 + Integer.parseInt(settings().get("retry.max-redeliveries"))) * sdkTries;
        assertEquals(48, withoutBreaker);
        assertEquals(2 * sdkTries, launches, "RunInstances reached EC2 " + launches + " times, not " + withoutBreaker);
        failed.forEach(n -> assertEquals(0, liveInstances(n.nodeId()).size()));
    }

    @Test
    @With({ "reconciler.terminate-orphans=true", "reconciler.audit-interval-ms=2000" })
    void aCleanUpThatFailsIsRecordedAndTheReconcilerTerminatesTheLeftOver() {
        // DNS fails for good after the launch, and the compensating TerminateInstances fails too
        // (its four SDK tries); later calls pass, as the reconciler's will.
        route53Proxy.stubFor(post(urlPathMatching(".*/rrset/?")).atPriority(1)
                .willReturn(aResponse().withStatus(500).withBody(ROUTE53_ERROR.formatted("InternalFailure"))));
        failFirst(ec2Proxy, 4, () -> post(urlPathEqualTo("/")).withRequestBody(containing("Action=TerminateInstances")),
                aResponse().withStatus(500).withBody(EC2_ERROR.formatted("InternalError")));
        Node failed = purchase("cleanupfails");
        assertEquals(NodeState.FAILED, failed.state());
        assertNotNull(failed.deadLetterId());
        assertTrue(failed.lastError().contains("clean-up incomplete: launch-node"), failed.lastError());
        assertEquals(4, served(ec2Proxy, 500, "Action=TerminateInstances"), "the clean-up's terminate was refused");
        assertNull(service.bean("slotAllocator", SlotAllocator.class).holder(failed.slot()), "the other undos still ran");
        RunningService.await(Duration.ofSeconds(60), () -> liveInstances(failed.nodeId()).isEmpty(),
                () -> "the left-over instance of a FAILED node is still " + instanceState(failed.instanceId()));
        assertEquals("terminated", instanceState(failed.instanceId()));
    }

    @Test
    @With({ "retry.max-redeliveries=40", "retry.delay-ms=100", "retry.max-delay-ms=300" })
    void smtpDownThenUpSendsTheEmailOnce() {
        int port = smtp.getSmtp().getPort();
        smtp.stop();
        String session = "cs_test_smtp_flaky";
        NotifyBuilder worked = workDone(session + "-0", 1);
        assertEquals(200, service.postSignedWebhook(StripeSigner.checkoutCompleted("evt_smtp_flaky", session, "user-smtp",
                "flaky@example.com", StripeSigner.PRO_PLAN)).statusCode());
        // A state the work passes through, not its end: read from DynamoDB.
        service.awaitNode(session + "-0", Duration.ofSeconds(60), n -> n.state() == NodeState.ACCESS_READY);
        smtp = new GreenMail(new ServerSetup(port, "127.0.0.1", "smtp"));
        smtp.start();
        await(worked, Duration.ofSeconds(60));
        Node node = service.nodes().get(session + "-0");
        assertEquals(NodeState.READY, node.state(), node::lastError);
        assertEquals(1, smtp.getReceivedMessages().length);
    }

    private static GreenMail smtpServer() {
        GreenMail server = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        server.start();
        return server;
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

    private Node purchase(String name) {
        String session = "cs_test_fault_" + name;
        NotifyBuilder worked = workDone(session + "-0", 1);
        assertEquals(200, service.postSignedWebhook(StripeSigner.checkoutCompleted("evt_fault_" + name, session, "user-" + name,
                name + "@example.com", StripeSigner.PRO_PLAN)).statusCode());
        await(worked, Duration.ofSeconds(90));
        return service.nodes().get(session + "-0");
    }

    /** The fault gone ({@code proxy} passes everything to moto again), a replay ends READY with one instance and one email. */
    private void replayOnceFixed(WireMockServer proxy, Node failed) {
        proxy.resetMappings();
        proxy.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().proxiedFrom(Emulators.moto().url())));
        Node ready = replay(failed);
        assertEquals(1, liveInstances(ready.nodeId()).size());
        assertEquals(1, smtp.getReceivedMessages().length);
    }

    private Node replay(Node failed) {
        NotifyBuilder worked = workDone(failed.nodeId(), 1);
        var response = RunningService.send(HttpRequest.newBuilder(URI.create(service.url("/api/v1/admin/dead-letters/"
                        + failed.deadLetterId() + "/replay")))
                .header("Authorization", "Bearer " + Tokens.admin("ops")).POST(HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(202, response.statusCode(), response.body());
        await(worked, Duration.ofSeconds(90));
        Node ready = service.nodes().get(failed.nodeId());
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
