package cloud.edgehive;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import cloud.edgehive.harness.Emulators;
import cloud.edgehive.harness.RunningService;
import cloud.edgehive.harness.TestCloud;
import cloud.edgehive.harness.StripeEvents;
import cloud.edgehive.harness.Tokens;
import cloud.edgehive.store.SubscriptionStore;

/**
 * POST /api/v1/billing/checkout and /portal against stripe-mock, through a recording proxy
 * (WireMock) whose journal shows exactly what reached Stripe, and whether anything did.
 */
class BillingApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RETURN_URL = "https://app.example.com/billing";

    private static TestCloud cloud;
    private static WireMockServer stripeProxy;
    private static RunningService service;

    @BeforeAll
    static void start() {
        cloud = TestCloud.fresh("billing-api-test");
        stripeProxy = new WireMockServer(options().dynamicPort());
        stripeProxy.start();
        stripeProxy.stubFor(any(anyUrl()).willReturn(aResponse().proxiedFrom(Emulators.stripe().url())));
        service = RunningService.start(billing(cloud.config(), "sk_test_billingApi"));
    }

    /** The billing settings a test service needs: Stripe through the recording proxy, a price per plan. */
    static Map<String, String> billing(Map<String, String> settings, String apiKey) {
        Map<String, String> p = new LinkedHashMap<>(settings);
        p.put("stripe.api-key", apiKey);
        p.put("stripe.api-base", stripeProxy.baseUrl());
        p.put("stripe.max-network-retries", "0");
        p.put("plans.pro.price-id", "price_pro_test");
        p.put("plans.team.price-id", "price_team_test");
        p.put("plans.enterprise.price-id", "price_enterprise_test");
        p.put("billing.check-initial-delay-ms", "3600000");
        return p;
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (stripeProxy != null) {
            stripeProxy.stop();
        }
        if (cloud != null) {
            cloud.close();
        }
    }

    @BeforeEach
    void forgetRequests() {
        stripeProxy.resetRequests();
    }

    @Test
    void checkoutCreatesASubscriptionSessionForThePlanAndReturnsStripesUrl() throws Exception {
        HttpResponse<String> response = post("/api/v1/billing/checkout", Tokens.user("user-checkout"), """
                {"plan":"pro","region":"us-east-1","instanceType":"t4g.medium","storageGb":50,"returnUrl":"%s"}""".formatted(RETURN_URL));
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
        String url = JSON.readTree(response.body()).path("url").asText();
        assertTrue(url.startsWith("https://checkout.stripe.com/"), url);

        List<LoggedRequest> calls = stripeCalls();
        assertEquals(1, calls.size());
        LoggedRequest call = calls.get(0);
        assertEquals("POST", call.getMethod().getName());
        assertEquals("/v1/checkout/sessions", call.getUrl());
        // stripe-mock answered with the URL it made; the service passed it on unchanged.
        assertEquals(JSON.readTree(stripeProxy.getAllServeEvents().get(0).getResponse().getBodyAsString()).path("url").asText(), url);
        Map<String, String> form = form(call.getBodyAsString());
        assertEquals("subscription", form.get("mode"));
        assertEquals("price_pro_test", form.get("line_items[0][price]"));
        assertEquals("1", form.get("line_items[0][quantity]"));
        assertEquals("user-checkout", form.get("client_reference_id"));
        assertEquals("pro", form.get("metadata[plan]"));
        assertEquals("us-east-1", form.get("metadata[region]"));
        assertEquals("t4g.medium", form.get("metadata[instanceType]"));
        assertEquals("50", form.get("metadata[storageGb]"));
        assertEquals("1", form.get("metadata[nodeCount]"));
        assertEquals("user-checkout", form.get("metadata[userId]"));
        assertEquals("user-checkout", form.get("subscription_data[metadata][userId]"));
        assertEquals("pro", form.get("subscription_data[metadata][plan]"));
        assertEquals(RETURN_URL + "?checkout=success&session_id={CHECKOUT_SESSION_ID}", form.get("success_url"));
        assertEquals(RETURN_URL + "?checkout=canceled", form.get("cancel_url"));
        assertFalse(form.containsKey("customer"), "a first purchase has no Stripe customer yet");
        String key = call.getHeader("Idempotency-Key");
        assertNotNull(key);
        assertTrue(key.startsWith("checkout-"), key);

        // A double click sends the same order again: same idempotency key, so Stripe returns the same session.
        assertEquals(200, post("/api/v1/billing/checkout", Tokens.user("user-checkout"), """
                {"plan":"pro","region":"us-east-1","instanceType":"t4g.medium","storageGb":50,"returnUrl":"%s"}""".formatted(RETURN_URL))
                .statusCode());
        List<LoggedRequest> both = stripeCalls();
        assertEquals(2, both.size());
        assertEquals(List.of(key, key), both.stream().map(r -> r.getHeader("Idempotency-Key")).toList());
    }

    @Test
    void portalSessionIsForTheUsersStripeCustomer() throws Exception {
        HttpResponse<String> none = post("/api/v1/billing/portal", Tokens.user("user-portal"), "{\"returnUrl\":\"" + RETURN_URL + "\"}");
        assertProblem(none, 404, "buy a plan first");
        assertEquals(0, stripeCalls().size(), "no Stripe call for a user without a customer");

        service.bean("subscriptionStore", SubscriptionStore.class).recordCheckout("sub_portal", "user-portal", "cus_portal", "pro", 1);
        HttpResponse<String> response = post("/api/v1/billing/portal", Tokens.user("user-portal"), "{\"returnUrl\":\"" + RETURN_URL + "\"}");
        assertEquals(200, response.statusCode(), response.body());
        List<LoggedRequest> calls = stripeCalls();
        assertEquals(1, calls.size());
        assertEquals("/v1/billing_portal/sessions", calls.get(0).getUrl());
        Map<String, String> form = form(calls.get(0).getBodyAsString());
        assertEquals("cus_portal", form.get("customer"));
        assertEquals(RETURN_URL, form.get("return_url"));
        assertEquals(JSON.readTree(stripeProxy.getAllServeEvents().get(0).getResponse().getBodyAsString()).path("url").asText(),
                JSON.readTree(response.body()).path("url").asText());

        // The next checkout of a returning customer reuses their Stripe customer.
        stripeProxy.resetRequests();
        HttpResponse<String> checkoutResponse = post("/api/v1/billing/checkout", Tokens.user("user-portal"), order("team"));
        assertEquals(200, checkoutResponse.statusCode(), checkoutResponse.body());
        Map<String, String> checkout = form(stripeCalls().get(0).getBodyAsString());
        assertEquals("cus_portal", checkout.get("customer"));
    }

    @Test
    void aProUserWithANodeIsRefusedASecondOne() {
        completeCheckout("user-pro", "cs_test_pro_1", "pro");
        HttpResponse<String> refused = post("/api/v1/billing/checkout", Tokens.user("user-pro"), order("pro"));
        assertProblem(refused, 409, "allows 1 node; 1 in use");
        assertEquals(0, stripeCalls().size());
    }

    @Test
    void aTeamUserGetsFiveNodesNotSix() {
        for (int i = 1; i <= 5; i++) {
            HttpResponse<String> response = post("/api/v1/billing/checkout", Tokens.user("user-team"), order("team"));
            assertEquals(200, response.statusCode(), "checkout " + i + ": " + response.body());
            completeCheckout("user-team", "cs_test_team_" + i, "team");
        }
        assertEquals(5, stripeCalls().size());
        stripeProxy.resetRequests();
        HttpResponse<String> sixth = post("/api/v1/billing/checkout", Tokens.user("user-team"), order("team"));
        assertProblem(sixth, 409, "allows 5 nodes; 5 in use, 1 requested");
        assertEquals(0, stripeCalls().size());
    }

    @Test
    void badInputIsRefusedBeforeStripe() {
        Map<String, String> bodies = new LinkedHashMap<>();
        bodies.put("{\"plan\":\"gold\",\"region\":\"us-east-1\",\"instanceType\":\"t4g.small\",\"storageGb\":10,\"returnUrl\":\"" + RETURN_URL + "\"}",
                "plan 'gold' is unknown");
        bodies.put("{\"plan\":\"pro\",\"region\":\"mars-1\",\"instanceType\":\"t4g.small\",\"storageGb\":10,\"returnUrl\":\"" + RETURN_URL + "\"}",
                "region 'mars-1' is not offered");
        bodies.put("{\"plan\":\"pro\",\"region\":\"us-east-1\",\"instanceType\":\"m5.24xlarge\",\"storageGb\":10,\"returnUrl\":\"" + RETURN_URL + "\"}",
                "instanceType 'm5.24xlarge' is not offered");
        bodies.put("{\"plan\":\"pro\",\"region\":\"us-east-1\",\"instanceType\":\"t4g.small\",\"storageGb\":20,\"returnUrl\":\"" + RETURN_URL + "\"}",
                "storageGb 20 is not offered");
        bodies.put("{\"plan\":\"pro\",\"region\":\"us-east-1\",\"instanceType\":\"t4g.small\",\"storageGb\":\"lots\",\"returnUrl\":\"" + RETURN_URL + "\"}",
                "storageGb must be a whole number");
        bodies.put("{\"plan\":\"pro\",\"region\":\"us-east-1\",\"instanceType\":\"t4g.small\",\"storageGb\":10}", "returnUrl is required");
        bodies.put("{\"plan\":\"pro\",\"region\":\"us-east-1\",\"instanceType\":\"t4g.small\",\"storageGb\":10,\"returnUrl\":\"/billing\"}",
                "returnUrl must be an absolute http(s) URL");
        bodies.put("{\"plan\":\"pro\",\"region\":\"us-east-1\",\"instanceType\":\"t4g.small\",\"storageGb\":10,\"returnUrl\":\"javascript:alert(1)\"}",
                "returnUrl must be an absolute http(s) URL");
        // Open redirect: Stripe's pages would send the buyer anywhere; only billing.return-url-origins.
        for (String elsewhere : List.of("https://evil.example/billing", "https://app.example.com.evil.example/",
                "https://app.example.com@evil.example/", "https://app.example.com:8443/billing")) {
            bodies.put("{\"plan\":\"pro\",\"region\":\"us-east-1\",\"instanceType\":\"t4g.small\",\"storageGb\":10,\"returnUrl\":\""
                    + elsewhere + "\"}", "returnUrl must lead back to https://app.example.com");
        }
        bodies.put("{}", "plan is required");
        bodies.forEach((body, detail) -> assertProblem(post("/api/v1/billing/checkout", Tokens.user("user-bad"), body), 422, detail));
        assertProblem(post("/api/v1/billing/checkout", Tokens.user("user-bad"), "{not json"), 400, "not valid JSON");
        assertProblem(post("/api/v1/billing/checkout", Tokens.user("user-bad"), "[]"), 400, "JSON object");
        assertProblem(post("/api/v1/billing/portal", Tokens.user("user-bad"), "{}"), 422, "returnUrl is required");
        assertProblem(post("/api/v1/billing/portal", Tokens.user("user-bad"), "{\"returnUrl\":\"https://evil.example/\"}"), 422,
                "returnUrl must lead back to");
        assertProblem(post("/api/v1/billing/checkout", Tokens.user("user-bad"), order("enterprise")), 403, "set up by an admin");
        assertProblem(post("/api/v1/billing/checkout", null, order("pro")), 401, "bearer token");
        assertEquals(0, stripeCalls().size(), "nothing reached Stripe");
        assertTrue(service.nodes().byUser("user-bad").isEmpty());
    }

    @Test
    void anAdminSellsEnterpriseWithTheContractsNodeLimit() throws Exception {
        HttpResponse<String> response = post("/api/v1/billing/checkout", Tokens.admin("ops"), """
                {"plan":"enterprise","userId":"user-corp","nodeLimit":20,"nodeCount":3,"region":"us-east-1",
                 "instanceType":"t4g.medium","storageGb":100,"returnUrl":"%s"}""".formatted(RETURN_URL));
        assertEquals(200, response.statusCode(), response.body());
        Map<String, String> form = form(stripeCalls().get(0).getBodyAsString());
        assertEquals("price_enterprise_test", form.get("line_items[0][price]"));
        assertEquals("user-corp", form.get("client_reference_id"));
        assertEquals("20", form.get("subscription_data[metadata][nodeLimit]"));
        assertEquals("3", form.get("metadata[nodeCount]"));
        stripeProxy.resetRequests();
        assertProblem(post("/api/v1/billing/checkout", Tokens.admin("ops"), """
                {"plan":"enterprise","region":"us-east-1","instanceType":"t4g.medium","storageGb":100,"returnUrl":"%s"}"""
                .formatted(RETURN_URL)), 422, "userId is required");
        assertEquals(0, stripeCalls().size());
    }

    @Test
    void liveModeRequiresHttpsReturnUrls() {
        try (RunningService live = RunningService.start(billing(RunningService.defaults(cloud.smtp().getSmtp().getPort(), "Z-UNUSED"),
                "sk_live_notARealKey"))) {
            HttpResponse<String> response = send(live, "/api/v1/billing/checkout", Tokens.user("user-live"), """
                    {"plan":"pro","region":"us-east-1","instanceType":"t4g.small","storageGb":10,"returnUrl":"http://app.example.com/billing"}""");
            assertProblem(response, 422, "returnUrl must use https in live mode");
            assertProblem(send(live, "/api/v1/billing/portal", Tokens.user("user-live"), "{\"returnUrl\":\"http://app.example.com\"}"),
                    422, "https in live mode");
            assertEquals(0, stripeCalls().size());
        }
    }

    @Test
    void stripeRefusingTheSessionIsA502WithoutStripesMessage() {
        var refusal = stripeProxy.stubFor(com.github.tomakehurst.wiremock.client.WireMock.post("/v1/checkout/sessions").atPriority(1)
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.containing("client_reference_id=user-refused"))
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":{\"type\":\"invalid_request_error\",\"message\":\"No such price: internal-detail\"}}")));
        try {
            HttpResponse<String> response = post("/api/v1/billing/checkout", Tokens.user("user-refused"), order("pro"));
            assertProblem(response, 502, "try again");
            assertFalse(response.body().contains("internal-detail"), response.body());
        } finally {
            stripeProxy.removeStub(refusal);
        }
    }

    private static String order(String plan) {
        return """
                {"plan":"%s","region":"us-east-1","instanceType":"t4g.small","storageGb":10,"returnUrl":"%s"}""".formatted(plan, RETURN_URL);
    }

    /**
     * What Stripe would send once the buyer pays: the nodes exist when this returns. The service asks
     * Stripe which price the session charges; stripe-mock answers one fixture price for every session,
     * so the proxy answers this session's line items with the plan's price, as Stripe would.
     */
    private static void completeCheckout(String userId, String sessionId, String plan) {
        stripeProxy.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get("/v1/checkout/sessions/" + sessionId + "/line_items")
                .atPriority(1).willReturn(aResponse().withHeader("Content-Type", "application/json").withBody(
                        "{\"object\":\"list\",\"has_more\":false,\"url\":\"/v1/checkout/sessions/" + sessionId + "/line_items\","
                                + "\"data\":[{\"id\":\"li_" + sessionId + "\",\"object\":\"item\",\"quantity\":1,"
                                + "\"price\":{\"id\":\"price_" + plan + "_test\",\"object\":\"price\"}}]}")));
        String payload = StripeEvents.checkoutCompleted("evt_" + sessionId, System.currentTimeMillis() / 1000, sessionId, userId,
                userId + "@example.com", "sub_" + userId, "{\"plan\":\"" + plan + "\"}");
        assertEquals(200, service.postSignedWebhook(payload).statusCode());
        service.awaitNode(sessionId + "-0", Duration.ofSeconds(30), n -> true);
    }

    private static HttpResponse<String> post(String path, String token, String body) {
        return send(service, path, token, body);
    }

    private static HttpResponse<String> send(RunningService target, String path, String token, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target.url(path)))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return RunningService.send(request.build());
    }

    private static void assertProblem(HttpResponse<String> response, int status, String detailPart) {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
        try {
            JsonNode problem = JSON.readTree(response.body());
            assertEquals(status, problem.path("status").asInt());
            assertTrue(problem.path("detail").asText().contains(detailPart), () -> "detail " + problem + " lacks: " + detailPart);
        } catch (java.io.IOException e) {
            throw new AssertionError(response.body(), e);
        }
    }

    /** Sessions created at Stripe (the webhook's reads of a completed session's line items are not counted). */
    private static List<LoggedRequest> stripeCalls() {
        return stripeProxy.findAll(com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(anyUrl()));
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return form;
    }
}
