package cloud.edgehive;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import cloud.edgehive.mail.MailMessage;
import cloud.edgehive.mail.ResendMail;
import cloud.edgehive.pipeline.ProviderRejected;
import cloud.edgehive.pipeline.ProviderUnavailable;
import cloud.edgehive.pipeline.RetryAfter;

/**
 * The Resend client against WireMock standing in for Resend's API: every call's method, path, bearer
 * key, JSON body and idempotency key; 409s, 429 with retry-after (honoured by a step's redelivery),
 * 422 permanent, 5xx and timeouts transient; the key never in a log line or an exception.
 */
class ResendMailTest {

    private static final String KEY = "re_test_" + Long.toHexString(System.nanoTime()) + "SeCrEt";
    private static final MailMessage MAIL = new MailMessage("buyer@example.com", "Edge Hive <nodes@test.example>",
            "Your node is ready", "<p>Ready at <a href=\"https://n1.example\">https://n1.example</a> ✓</p>",
            "Ready at https://n1.example ✓", "<ready.n1@test.example>");
    private static final String EXPECTED_BODY = """
            {"from":"Edge Hive <nodes@test.example>","to":["buyer@example.com"],"subject":"Your node is ready",
             "html":"<p>Ready at <a href=\\"https://n1.example\\">https://n1.example</a> ✓</p>","text":"Ready at https://n1.example ✓"}""";

    private static final StringWriter LOG = new StringWriter();
    private static WriterAppender appender;
    private WireMockServer resend;
    private ResendMail mail;

    @BeforeAll
    static void captureLog() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        appender = WriterAppender.newBuilder().setName("resend-test").setTarget(LOG)
                .setLayout(PatternLayout.newBuilder().withPattern("%-5level %c{1} - %msg %throwable%n").build()).build();
        appender.start();
        context.getConfiguration().getRootLogger().addAppender(appender, null, null);
        context.updateLoggers();
    }

    @AfterAll
    static void keyNeverLogged() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getRootLogger().removeAppender("resend-test");
        context.updateLoggers();
        String log = LOG.toString();
        assertTrue(log.contains("sent by Resend"), "the tests did log their sends: " + log);
        assertFalse(log.contains(KEY), "the API key is in the log:\n" + log);
    }

    @BeforeEach
    void start() {
        resend = new WireMockServer(options().dynamicPort());
        resend.start();
        mail = new ResendMail(new ResendMail.Config(URI.create(resend.baseUrl()), KEY, Duration.ofSeconds(2)), Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        resend.stop();
    }

    @Test
    void sendsOnePostWithTheBearerKeyTheBodyAndTheIdempotencyKey() {
        answer(200, "{\"id\":\"49a3999c-0ce1-4ea6-ab68-afcd6dc2e794\"}");

        mail.send(MAIL, "ready/cs_test_1-0");

        List<LoggedRequest> calls = resend.findAll(postRequestedFor(urlPathEqualTo("/emails")));
        assertEquals(1, calls.size());
        assertEquals(1, resend.getAllServeEvents().size(), "nothing else was called");
        resend.verify(postRequestedFor(urlPathEqualTo("/emails"))
                .withHeader("Authorization", equalTo("Bearer " + KEY))
                .withHeader("Content-Type", equalTo("application/json"))
                .withHeader("Idempotency-Key", equalTo("ready/cs_test_1-0"))
                .withRequestBody(equalToJson(EXPECTED_BODY)));
    }

    @Test
    void aRetriedSendCarriesTheSameKeyAndBody() {
        answer(200, "{\"id\":\"same\"}");

        mail.send(MAIL, "ready/cs_test_2-0");
        mail.send(MAIL, "ready/cs_test_2-0");

        List<LoggedRequest> calls = resend.findAll(postRequestedFor(urlPathEqualTo("/emails")));
        assertEquals(2, calls.size());
        assertEquals(calls.get(0).getHeader("Idempotency-Key"), calls.get(1).getHeader("Idempotency-Key"));
        assertEquals(calls.get(0).getBodyAsString(), calls.get(1).getBodyAsString());
    }

    @Test
    void aKeyAlreadyUsedWithAnotherBodyMeansTheEmailWentOut() {
        answer(409, "{\"statusCode\":409,\"name\":\"invalid_idempotent_request\",\"message\":\"Same idempotency key used with a different request payload.\"}");

        mail.send(MAIL, "ready/cs_test_3-0");

        assertTrue(LOG.toString().contains("ready/cs_test_3-0 was already sent"), LOG.toString());
    }

    @Test
    void aConcurrentRequestWithTheSameKeyIsRetriedLater() {
        answer(409, "{\"statusCode\":409,\"name\":\"concurrent_idempotent_requests\",\"message\":\"in progress\"}");

        ProviderUnavailable failure = assertThrows(ProviderUnavailable.class, () -> mail.send(MAIL, "ready/cs_test_4-0"));

        assertEquals("resend", failure.provider());
        assertNull(failure.retryAfter());
    }

    @Test
    void throttlingIsTransientAndSaysHowLongToWait() {
        resend.stubFor(post("/emails").willReturn(aResponse().withStatus(429).withHeader("retry-after", "7")
                .withHeader("Content-Type", "application/json")
                .withBody("{\"statusCode\":429,\"name\":\"rate_limit_exceeded\",\"message\":\"Too many requests\"}")));

        ProviderUnavailable failure = assertThrows(ProviderUnavailable.class, () -> mail.send(MAIL, "ready/cs_test_5-0"));

        assertEquals(Duration.ofSeconds(7), failure.retryAfter());
        assertFalse(failure.getMessage().contains(KEY));
    }

    @Test
    void anInvalidRequestIsPermanentWithResendsAnswerInTheFailure() {
        answer(422, "{\"statusCode\":422,\"name\":\"validation_error\",\"message\":\"Invalid `to` field.\"}");

        ProviderRejected failure = assertThrows(ProviderRejected.class, () -> mail.send(MAIL, "ready/cs_test_6-0"));

        assertEquals("422 validation_error", failure.code());
        assertTrue(failure.getMessage().contains("Invalid `to` field."), failure.getMessage());
        assertFalse(failure.getMessage().contains(KEY));
        assertEquals(1, resend.findAll(postRequestedFor(urlPathEqualTo("/emails"))).size());
    }

    @Test
    void aBadKeyIsPermanent() {
        answer(401, "{\"statusCode\":401,\"name\":\"missing_api_key\",\"message\":\"Missing API key\"}");

        assertThrows(ProviderRejected.class, () -> mail.send(MAIL, "ready/cs_test_7-0"));
    }

    @Test
    void serverErrorsAndTimeoutsAreTransient() {
        answer(503, "{\"statusCode\":503,\"name\":\"application_error\",\"message\":\"down\"}");
        assertThrows(ProviderUnavailable.class, () -> mail.send(MAIL, "ready/cs_test_8-0"));

        resend.resetAll();
        resend.stubFor(post("/emails").willReturn(aResponse().withStatus(200).withFixedDelay(2_000).withBody("{\"id\":\"late\"}")));
        ResendMail impatient = new ResendMail(new ResendMail.Config(URI.create(resend.baseUrl()), KEY, Duration.ofMillis(300)),
                Clock.systemUTC());
        ProviderUnavailable timeout = assertThrows(ProviderUnavailable.class, () -> impatient.send(MAIL, "ready/cs_test_8-0"));
        assertTrue(timeout.getMessage().contains("HttpTimeoutException"), timeout.getMessage());
    }

    @Test
    void aLongKeyIsShortenedStably() {
        answer(200, "{\"id\":\"x\"}");
        String longKey = "ready/" + "n".repeat(300);

        mail.send(MAIL, longKey);
        mail.send(MAIL, longKey);

        List<LoggedRequest> calls = resend.findAll(postRequestedFor(urlPathEqualTo("/emails")));
        String sent = calls.get(0).getHeader("Idempotency-Key");
        assertTrue(sent.length() <= 256, sent);
        assertEquals(sent, calls.get(1).getHeader("Idempotency-Key"));
    }

    /**
     * 429 then success through Camel's redelivery: the policy's own delay is ten minutes, so the send
     * completing at all shows the step waited retry-after (1 s) instead, and not less.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aStepsRedeliveryWaitsRetryAfterThenSucceeds() throws Exception {
        resend.stubFor(post("/emails").inScenario("throttled").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("retry-after", "1")
                        .withBody("{\"statusCode\":429,\"name\":\"rate_limit_exceeded\",\"message\":\"slow down\"}"))
                .willSetStateTo("allowed"));
        resend.stubFor(post("/emails").inScenario("throttled").whenScenarioStateIs("allowed")
                .willReturn(aResponse().withStatus(200).withBody("{\"id\":\"after-wait\"}")));
        try (CamelContext camel = new DefaultCamelContext()) {
            // A lambda, not a RouteBuilder subclass: camel-main's package scan would pick one up in other tests.
            RouteBuilder.addRoutes(camel, routes -> {
                routes.onException(ProviderUnavailable.class).onExceptionOccurred(new RetryAfter())
                        .maximumRedeliveries(3).redeliveryDelay(600_000).asyncDelayedRedelivery();
                routes.from("direct:notify").process(exchange -> mail.send(MAIL, "ready/cs_test_9-0"));
            });
            camel.start();
            ProducerTemplate producer = camel.createProducerTemplate();

            producer.sendBody("direct:notify", "n");
        }

        List<LoggedRequest> calls = resend.findAll(postRequestedFor(urlPathEqualTo("/emails")));
        assertEquals(2, calls.size(), "one throttled call, one that went through");
        long waited = calls.get(1).getLoggedDate().getTime() - calls.get(0).getLoggedDate().getTime();
        assertTrue(waited >= 1000, "the redelivery waited retry-after: " + waited + " ms");
        assertEquals(calls.get(0).getHeader("Idempotency-Key"), calls.get(1).getHeader("Idempotency-Key"));
        assertEquals(calls.get(0).getBodyAsString(), calls.get(1).getBodyAsString());
    }

    private void answer(int status, String body) {
        resend.stubFor(post("/emails").willReturn(aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                .withBody(body)));
    }
}
