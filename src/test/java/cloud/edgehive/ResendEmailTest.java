package cloud.edgehive;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import cloud.edgehive.api.FailureReasons;
import cloud.edgehive.harness.RunningService;
import cloud.edgehive.harness.StripeSigner;
import cloud.edgehive.harness.TestCloud;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeState;

/**
 * mail.provider=resend through the whole pipeline, Resend played by WireMock: a purchase ends READY
 * with one POST /emails (bearer key, the rendered email, an idempotency key naming the email kind and
 * the node); a 429 is retried after its retry-after, with the same key and body; a 422 fails the
 * node with everything undone, Resend's answer in the dead letter and not in what the owner is told.
 */
class ResendEmailTest {

    private static final String KEY = "re_test_resend_email_" + Long.toHexString(System.nanoTime());
    private static final ObjectMapper JSON = new ObjectMapper();

    private static TestCloud cloud;
    private static WireMockServer resend;
    private static RunningService service;

    @BeforeAll
    static void start() {
        cloud = TestCloud.fresh("resend");
        resend = new WireMockServer(options().dynamicPort());
        resend.start();
        resend.stubFor(post("/emails").atPriority(10).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":\"4ef9a417-02e9-4d39-ad75-9611e0fcc33c\"}")));
        Map<String, String> config = new LinkedHashMap<>(cloud.config());
        config.put("mail.provider", "resend");
        config.put("mail.resend.base-url", resend.baseUrl());
        config.put("mail.resend.api-key", KEY);
        service = RunningService.start(config);
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (resend != null) {
            resend.stop();
        }
        if (cloud != null) {
            cloud.close();
        }
    }

    @Test
    void aPurchaseEndsReadyWithOneEmailThroughResend() throws Exception {
        Node node = purchase("resend_ok", "ok@example.com");

        assertEquals(NodeState.READY, node.state(), node::lastError);
        List<LoggedRequest> calls = callsFor("ok@example.com");
        assertEquals(1, calls.size());
        LoggedRequest call = calls.get(0);
        assertEquals("Bearer " + KEY, call.getHeader("Authorization"));
        String key = call.getHeader("Idempotency-Key");
        assertTrue(key.contains("ready") && key.contains(node.hostLabel()), key);
        JsonNode body = JSON.readTree(call.getBodyAsString());
        assertEquals("Edge Hive <nodes@test.example>", body.get("from").asText());
        assertEquals(List.of("ok@example.com"), List.of(body.get("to").get(0).asText()));
        assertEquals("Your Edge Hive node " + node.hostLabel() + " is ready", body.get("subject").asText());
        assertTrue(body.get("html").asText().contains(node.url()) && body.get("text").asText().contains(node.url()), body.toString());
        assertEquals(0, cloud.mailsTo("ok@example.com").size(), "nothing went through SMTP");
    }

    @Test
    void throttledSendWaitsRetryAfterThenGoesOutWithTheSameKey() throws Exception {
        resend.stubFor(post("/emails").atPriority(1).withRequestBody(containing("throttled@example.com"))
                .inScenario("throttled").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("retry-after", "1").withHeader("Content-Type", "application/json")
                        .withBody("{\"statusCode\":429,\"name\":\"rate_limit_exceeded\",\"message\":\"Too many requests\"}"))
                .willSetStateTo("allowed"));

        Node node = purchase("resend_429", "throttled@example.com");

        assertEquals(NodeState.READY, node.state(), node::lastError);
        List<LoggedRequest> calls = callsFor("throttled@example.com");
        assertEquals(2, calls.size(), "one throttled call, one that went through");
        long waited = calls.get(1).getLoggedDate().getTime() - calls.get(0).getLoggedDate().getTime();
        // retry.delay-ms is 50 in tests: only retry-after makes the step wait a second.
        assertTrue(waited >= 1000, "the step waited retry-after: " + waited + " ms");
        assertEquals(calls.get(0).getHeader("Idempotency-Key"), calls.get(1).getHeader("Idempotency-Key"));
        assertEquals(calls.get(0).getBodyAsString(), calls.get(1).getBodyAsString());
    }

    @Test
    void anInvalidEmailFailsTheNodeForGoodWithResendsAnswerInTheDeadLetterOnly() {
        resend.stubFor(post("/emails").atPriority(1).withRequestBody(containing("invalid@example.com"))
                .willReturn(aResponse().withStatus(422).withHeader("Content-Type", "application/json")
                        .withBody("{\"statusCode\":422,\"name\":\"validation_error\",\"message\":\"The to address is on the suppression list\"}")));

        Node node = purchase("resend_422", "invalid@example.com");

        assertEquals(NodeState.FAILED, node.state());
        assertEquals(1, callsFor("invalid@example.com").size(), "a permanent answer is not retried");
        assertNotNull(node.deadLetterId());
        String deadLetter = service.bean("deadLetters", cloud.edgehive.store.DeadLetterStore.class).find(node.deadLetterId()).toString();
        assertTrue(deadLetter.contains("suppression list") && deadLetter.contains("422"), deadLetter);
        String told = FailureReasons.plain(node);
        assertFalse(told.contains("suppression") || told.contains("422") || told.contains("resend"), told);
        assertTrue(RunningService.ec2().describeInstances(b -> b.filters(f -> f.name("tag:edgehive:node-id").values(node.nodeId()),
                f -> f.name("instance-state-name").values("pending", "running", "stopping", "stopped"))).reservations().isEmpty(),
                "the instance was terminated");
    }

    private static Node purchase(String name, String email) {
        String session = "cs_test_" + name;
        var response = service.postSignedWebhook(StripeSigner.checkoutCompleted("evt_" + name, session, "user-" + name, email,
                StripeSigner.PRO_PLAN));
        assertEquals(200, response.statusCode(), response.body());
        return service.awaitNode(session + "-0", Duration.ofSeconds(90), n -> n.state() == NodeState.READY || n.state().isFinal());
    }

    private static List<LoggedRequest> callsFor(String email) {
        return resend.findAll(postRequestedFor(urlPathEqualTo("/emails")).withRequestBody(containing(email)));
    }
}
