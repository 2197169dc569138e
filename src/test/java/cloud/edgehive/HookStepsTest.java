package cloud.edgehive;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.model.BeanDefinition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.github.tomakehurst.wiremock.WireMockServer;

import cloud.edgehive.api.FailureReasons;
import cloud.edgehive.harness.RunningService;
import cloud.edgehive.harness.ServiceTest;
import cloud.edgehive.harness.StripeSigner;
import cloud.edgehive.harness.TestCloud;
import cloud.edgehive.pipeline.ProviderUnavailable;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeState;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * The hooks in the node's life, against moto (EC2, Route 53, Lambda without Docker) behind a WireMock
 * proxy for Lambda: after-access runs between publishing access and the ready email and its answer is
 * in the history; a function that keeps failing is retried, then the node is FAILED with the instance
 * and record undone, a dead letter and no email; before-terminate is called with the node, and a
 * failing one is noted while termination still removes everything; a step retried after its hook
 * answered does not call the hook again. One service for the class, booted by Camel's test kit; a
 * purchase waits for its node's work to finish (NotifyBuilder), a termination is a synchronous call,
 * and the retry's fault is woven into the after-access step (AdviceWith).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HookStepsTest extends ServiceTest {

    private static final String AFTER_ACCESS = "edgehive-hook-ready";
    private static final String BEFORE_TERMINATE = "edgehive-hook-goodbye";
    private static final Ec2Client EC2 = RunningService.ec2();

    private TestCloud cloud;
    private WireMockServer lambdaProxy;

    @BeforeAll
    void world() {
        cloud = TestCloud.fresh("hook-steps");
        HooksTest.createFunction(AFTER_ACCESS);
        HooksTest.createFunction(BEFORE_TERMINATE);
        lambdaProxy = HooksTest.proxyToMoto();
    }

    @Override
    protected Map<String, String> settings() {
        Map<String, String> config = new LinkedHashMap<>(cloud.config());
        config.put("aws.lambda.endpoint", lambdaProxy.baseUrl());
        config.put("hooks.after-access.function", AFTER_ACCESS);
        config.put("hooks.before-terminate.function", BEFORE_TERMINATE);
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

    @Test
    void afterAccessRunsBeforeTheEmailAndItsAnswerIsInTheHistory() {
        Node node = purchase("hook_ready");

        assertEquals(NodeState.READY, node.state(), node::lastError);
        List<String> notes = notes(node);
        int hook = indexOf(notes, "hook after-access (" + AFTER_ACCESS + ") answered {");
        assertTrue(hook >= 0, "the answer is recorded: " + notes);
        // moto echoes the input when no answer is queued: the function saw the published URL.
        assertTrue(notes.get(hook).contains("\"url\":\"" + node.url() + "\""), notes.get(hook));
        assertEquals(1, invocations(AFTER_ACCESS, node.nodeId()));
        assertEquals(1, cloud.mailsTo("hook_ready@example.com").size());
        assertTrue(node.hasCompleted("after-access"), "a step whose hook ran is recorded: " + node.saga());
    }

    @Test
    void aFunctionThatKeepsFailingFailsTheNodeWithEverythingUndone() {
        lambdaProxy.stubFor(post(urlPathEqualTo(path(AFTER_ACCESS))).atPriority(1).withRequestBody(containing("cs_test_hook_broken-0"))
                .willReturn(aResponse().withStatus(200).withHeader("X-Amz-Function-Error", "Unhandled")
                        .withBody("{\"errorMessage\":\"CRM rejected the node\",\"errorType\":\"ValueError\"}")));

        Node node = purchase("hook_broken");

        assertEquals(NodeState.FAILED, node.state());
        assertTrue(node.lastError().contains("CRM rejected the node"), node.lastError());
        assertNotNull(node.deadLetterId());
        assertEquals(1 + 3, invocations(AFTER_ACCESS, node.nodeId()), "the first call and retry.max-redeliveries retries");
        assertTrue(liveInstances(node.nodeId()).isEmpty(), "the instance was terminated");
        assertEquals(0, cloud.mailsTo("hook_broken@example.com").size(), "no ready email");
        String told = FailureReasons.plain(node);
        assertTrue(told.startsWith("The operator's set-up step after the node became reachable failed.") && !told.contains("CRM"), told);
    }

    @Test
    void aStepRetriedAfterItsHookAnsweredDoesNotCallTheHookAgain() throws Exception {
        String nodeId = "cs_test_hook_retried-0";
        AtomicInteger passes = new AtomicInteger();
        // The step's one bean (saga.complete) records the step done: fail transiently just before it, once,
        // for this node only, when the hook has answered and its answer is recorded.
        AdviceWith.adviceWith(context, "after-access", step -> step.weaveByType(BeanDefinition.class).before().process(exchange -> {
            if (nodeId.equals(exchange.getProperty("nodeId")) && passes.getAndIncrement() == 0) {
                throw new ProviderUnavailable("test", "injected after the hook answered", null);
            }
        }));

        Node node = purchase("hook_retried");

        assertEquals(NodeState.READY, node.state(), node::lastError);
        assertEquals(2, passes.get(), "the step failed once and was retried");
        assertEquals(1, invocations(AFTER_ACCESS, nodeId), "the retry found the recorded answer");
        assertEquals(1, notes(node).stream().filter(n -> n.startsWith("hook after-access (")).count(), notes(node).toString());
        assertEquals(1, cloud.mailsTo("hook_retried@example.com").size());
    }

    @Test
    void beforeTerminateIsCalledAndAFailingOneDoesNotStopTermination() {
        Node kept = purchase("hook_bye");
        Node failing = purchase("hook_bye_err");
        lambdaProxy.stubFor(post(urlPathEqualTo(path(BEFORE_TERMINATE))).atPriority(1).withRequestBody(containing(failing.nodeId()))
                .willReturn(aResponse().withStatus(200).withHeader("X-Amz-Function-Error", "Unhandled")
                        .withBody("{\"errorMessage\":\"archive failed\"}")));

        Node first = terminate(kept);
        Node second = terminate(failing);

        assertEquals(NodeState.TERMINATED, first.state(), first::lastError);
        assertTrue(indexOf(notes(first), "hook before-terminate (" + BEFORE_TERMINATE + ") answered {") >= 0, notes(first).toString());
        assertEquals(NodeState.TERMINATED, second.state(), second::lastError);
        assertTrue(indexOf(notes(second), "hook before-terminate (" + BEFORE_TERMINATE + ") failed") >= 0, notes(second).toString());
        assertEquals(1, invocations(BEFORE_TERMINATE, failing.nodeId()), "noted, not retried");
        assertTrue(liveInstances(kept.nodeId()).isEmpty() && liveInstances(failing.nodeId()).isEmpty());
    }

    private Node purchase(String name) {
        String session = "cs_test_" + name;
        NotifyBuilder worked = workDone(session + "-0", 1);
        assertEquals(200, service.postSignedWebhook(StripeSigner.checkoutCompleted("evt_" + name, session, "user-" + name,
                name + "@example.com", StripeSigner.PRO_PLAN)).statusCode());
        await(worked, Duration.ofSeconds(90));
        return service.nodes().get(session + "-0");
    }

    /** Terminates as the API does: the route returns once the node is TERMINATED (or its failure is recorded). */
    private Node terminate(Node node) {
        Exchange done = context.createProducerTemplate().send("direct:terminate-node", exchange -> {
            exchange.getMessage().setBody(node.nodeId());
            exchange.setVariable("reason", "user request");
        });
        assertEquals(null, done.getException());
        return service.nodes().get(node.nodeId());
    }

    private static List<String> notes(Node node) {
        return node.history().stream().map(h -> h.getOrDefault("note", "")).toList();
    }

    private static int indexOf(List<String> notes, String prefix) {
        for (int i = 0; i < notes.size(); i++) {
            if (notes.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }

    private int invocations(String function, String nodeId) {
        return lambdaProxy.findAll(postRequestedFor(urlPathEqualTo(path(function))).withRequestBody(containing(nodeId))).size();
    }

    private static String path(String function) {
        return "/2015-03-31/functions/" + function + "/invocations";
    }

    private static List<?> liveInstances(String nodeId) {
        return EC2.describeInstances(b -> b.filters(f -> f.name("tag:edgehive:node-id").values(nodeId),
                f -> f.name("instance-state-name").values("pending", "running", "stopping", "stopped"))).reservations();
    }
}
