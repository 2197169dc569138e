package cloud.edgehive;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;

import cloud.edgehive.harness.Emulators;
import cloud.edgehive.harness.ServiceTest;
import cloud.edgehive.harness.TestCloud;
import cloud.edgehive.hooks.LambdaHooks;
import cloud.edgehive.pipeline.Faults;
import cloud.edgehive.pipeline.ProviderUnavailable;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeRequest;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.Runtime;

/**
 * The Lambda hook call (routes/hooks.camel.yaml, camel-aws2-lambda invokeFunction) against moto's
 * Lambda without Docker, through a WireMock proxy that can turn an answer into a function error or
 * make it late: the function gets the node as JSON, its answer lands in the node's history, a
 * recorded answer is not asked again, an unconfigured point calls nothing, a function error or a
 * timeout is a transient failure of the step, and a failing before-terminate is noted and returns.
 * One service for the class, booted by Camel's test kit; each test calls the hook synchronously.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HooksTest extends ServiceTest {

    static final String AFTER_ACCESS_FUNCTION = "edgehive-hook-after-access";
    static final String BEFORE_TERMINATE_FUNCTION = "edgehive-hook-before-terminate";
    static final String INVOCATIONS = "/2015-03-31/functions/" + AFTER_ACCESS_FUNCTION + "/invocations";
    private static final ObjectMapper JSON = new ObjectMapper();

    private TestCloud cloud;
    private WireMockServer lambdaProxy;

    @BeforeAll
    void world() {
        cloud = TestCloud.fresh("hooks");
        createFunction(AFTER_ACCESS_FUNCTION);
        createFunction(BEFORE_TERMINATE_FUNCTION);
        lambdaProxy = proxyToMoto();
    }

    @Override
    protected Map<String, String> settings() {
        Map<String, String> config = new LinkedHashMap<>(cloud.config());
        config.put("aws.lambda.endpoint", lambdaProxy.baseUrl());
        config.put("hooks.after-access.function", AFTER_ACCESS_FUNCTION);
        config.put("hooks.before-terminate.function", BEFORE_TERMINATE_FUNCTION);
        config.put("hooks.timeout-ms", "5000");
        // These tests hand nodes to the hook themselves; no reconciler may pick them up meanwhile.
        config.put("reconciler.initial-delay-ms", "3600000");
        return config;
    }

    @AfterAll
    void stop() {
        if (lambdaProxy != null) {
            lambdaProxy.stop();
        }
        if (cloud != null) {
            cloud.close();
        }
    }

    @AfterEach
    void plainProxy() {
        lambdaProxy.resetAll();
        lambdaProxy.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().proxiedFrom(Emulators.moto().url())));
    }

    @Test
    void theFunctionGetsTheNodeAndItsAnswerIsRecorded() throws Exception {
        plainProxy();
        Node node = claimedNode("cs_test_hook_echo-0", "echo@example.com");

        // No answer queued: moto's Lambda answers with the payload it got, so the record shows the input.
        Exchange done = runHook(node, LambdaHooks.AFTER_ACCESS);

        assertNull(done.getException());
        Node recorded = service.nodes().get(node.nodeId());
        String note = hookNote(recorded, "after-access");
        assertTrue(note.startsWith("hook after-access (" + AFTER_ACCESS_FUNCTION + ") answered {"), note);
        JsonNode input = JSON.readTree(note.substring(note.indexOf('{')));
        assertEquals("after-access", input.get("hook").asText());
        assertEquals(node.nodeId(), input.get("id").asText());
        assertEquals(node.hostLabel(), input.get("name").asText());
        assertEquals("user-hooks", input.get("user").get("id").asText());
        assertEquals("echo@example.com", input.get("user").get("email").asText());
        assertEquals("pro", input.get("plan").asText());
        assertEquals("us-east-1", input.get("region").asText());
        assertEquals(recorded.state().name(), input.get("state").asText());
        assertEquals(node.state(), recorded.state(), "recording the answer leaves the state alone");
        assertEquals(1, lambdaProxy.findAll(postRequestedFor(urlPathEqualTo(INVOCATIONS))).size());
    }

    @Test
    void aQueuedAnswerIsRecordedAndARecordedHookIsNotCalledAgain() {
        plainProxy();
        Node node = claimedNode("cs_test_hook_answer-0", "answer@example.com");
        Emulators.post(Emulators.moto().url() + "/moto-api/static/lambda-simple/response",
                "{\"results\":[\"{\\\"crm\\\": \\\"contact-42\\\", \\\"ok\\\": true}\"],\"region\":\"us-east-1\"}");

        runHook(node, LambdaHooks.AFTER_ACCESS);
        Node recorded = service.nodes().get(node.nodeId());
        Exchange again = runHook(recorded, LambdaHooks.AFTER_ACCESS);

        assertNull(again.getException());
        assertEquals("hook after-access (" + AFTER_ACCESS_FUNCTION + ") answered {\"crm\":\"contact-42\",\"ok\":true}",
                hookNote(service.nodes().get(node.nodeId()), "after-access"));
        assertEquals(1, lambdaProxy.findAll(postRequestedFor(urlPathEqualTo(INVOCATIONS))).size(), "called once");
        assertEquals(recorded.version(), service.nodes().get(node.nodeId()).version(), "the second run wrote nothing");
    }

    @Test
    void aPointWithoutAFunctionCallsNothing() {
        plainProxy();
        Node node = claimedNode("cs_test_hook_none-0", "none@example.com");
        LambdaHooks unconfigured = new LambdaHooks(Map.of(), service.nodes(), context.createProducerTemplate());

        Node after = unconfigured.run(LambdaHooks.AFTER_ACCESS, node);

        assertEquals(node, after);
        assertEquals(0, lambdaProxy.getAllServeEvents().size());
        assertEquals(node.version(), service.nodes().get(node.nodeId()).version());
    }

    @Test
    void aFailingBeforeTerminateIsNotedAndTheWorkGoesOn() {
        plainProxy();
        lambdaProxy.stubFor(post(urlPathEqualTo("/2015-03-31/functions/" + BEFORE_TERMINATE_FUNCTION + "/invocations")).atPriority(1)
                .willReturn(aResponse().withStatus(200).withHeader("X-Amz-Function-Error", "Unhandled")
                        .withBody("{\"errorMessage\":\"archive failed\"}")));
        Node node = claimedNode("cs_test_hook_bye-0", "bye@example.com");

        Node after = hooks().run(LambdaHooks.BEFORE_TERMINATE, node);

        String note = hookNote(after, "before-terminate");
        assertTrue(note.startsWith("hook before-terminate (" + BEFORE_TERMINATE_FUNCTION + ") failed: ") && note.contains("archive failed"),
                note);
        assertEquals(after.version(), service.nodes().get(node.nodeId()).version(), "the returned node is the recorded one");
    }

    @Test
    void aFunctionErrorFailsTheStepTransiently() {
        plainProxy();
        lambdaProxy.stubFor(post(urlPathEqualTo(INVOCATIONS)).atPriority(1).willReturn(aResponse().withStatus(200)
                .withHeader("X-Amz-Function-Error", "Unhandled").withHeader("Content-Type", "application/json")
                .withBody("{\"errorMessage\":\"CRM is down\",\"errorType\":\"RuntimeError\"}")));
        Node node = claimedNode("cs_test_hook_error-0", "error@example.com");

        ProviderUnavailable failure = assertThrows(ProviderUnavailable.class, () -> hooks().run(LambdaHooks.AFTER_ACCESS, node));

        assertTrue(failure.getMessage().contains("Unhandled") && failure.getMessage().contains("CRM is down"), failure.getMessage());
        assertTrue(new Faults().isTransient(failure), "retried by the step");
        assertNull(hookNote(service.nodes().get(node.nodeId()), "after-access"), "nothing recorded: the next try calls again");
    }

    @Test
    void aLateFunctionTimesOutTransiently() {
        plainProxy();
        lambdaProxy.stubFor(post(urlPathEqualTo(INVOCATIONS)).atPriority(1).willReturn(aResponse().withStatus(200)
                .withFixedDelay(6_000).withBody("{\"late\":true}")));
        Node node = claimedNode("cs_test_hook_late-0", "late@example.com");

        Exchange done = runHook(node, LambdaHooks.AFTER_ACCESS);

        assertNotNull(done.getException(SdkClientException.class), "failed with " + done.getException());
        assertTrue(new Faults().isTransient(done.getException()));
        assertEquals(1, lambdaProxy.findAll(postRequestedFor(urlPathEqualTo(INVOCATIONS))).size(), "the SDK did not retry the Invoke");
        assertNull(hookNote(service.nodes().get(node.nodeId()), "after-access"));
    }

    private LambdaHooks hooks() {
        return service.bean("lambdaHooks", LambdaHooks.class);
    }

    private Exchange runHook(Node node, String point) {
        Exchange exchange = new DefaultExchange(context);
        exchange.setVariable("node", node);
        exchange.setVariable("hook", point);
        return context.createProducerTemplate().send("direct:run-hook", exchange);
    }

    /** A node of this test's own, its lease held by the service (as a provisioning step holds it). */
    private Node claimedNode(String nodeId, String email) {
        service.nodes().create(new NodeRequest(nodeId, "user-hooks", email, "pro", "us-east-1", "t4g.small", 10,
                nodeId.replace("-0", ""), null, null));
        return service.nodes().claim(nodeId);
    }

    private static String hookNote(Node node, String point) {
        List<String> notes = node.history().stream().map(h -> h.getOrDefault("note", ""))
                .filter(n -> n.startsWith("hook " + point + " ")).toList();
        assertTrue(notes.size() <= 1, "one note per hook: " + notes);
        return notes.isEmpty() ? null : notes.get(0);
    }

    /** moto's Lambda without Docker (queued or echoed answers); the function's role must exist in its IAM. */
    static void createFunction(String name) {
        Emulators.post(Emulators.moto().url() + "/moto-api/config", "{\"lambda\":{\"use_docker\":false}}");
        StaticCredentialsProvider credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));
        try (IamClient iam = IamClient.builder().endpointOverride(URI.create(Emulators.moto().url())).region(Region.AWS_GLOBAL)
                .credentialsProvider(credentials).build();
             LambdaClient lambda = LambdaClient.builder().endpointOverride(URI.create(Emulators.moto().url())).region(Region.US_EAST_1)
                     .credentialsProvider(credentials).build()) {
            String role = iam.createRole(b -> b.roleName(name + "-role").assumeRolePolicyDocument(
                    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},"
                            + "\"Action\":\"sts:AssumeRole\"}]}")).role().arn();
            lambda.createFunction(b -> b.functionName(name).runtime(Runtime.PYTHON3_12).role(role).handler("hook.handler")
                    .code(c -> c.zipFile(SdkBytes.fromByteArray(zip("hook.py", "def handler(event, context):\n    return event\n")))));
        }
    }

    static WireMockServer proxyToMoto() {
        WireMockServer proxy = new WireMockServer(options().dynamicPort());
        proxy.start();
        proxy.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().proxiedFrom(Emulators.moto().url())));
        return proxy;
    }

    private static byte[] zip(String file, String content) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry(file));
            zip.write(content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            zip.closeEntry();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }
}
