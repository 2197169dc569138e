package cloud.edgehive.access;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.notContaining;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.http.Fault;

import cloud.edgehive.access.cloudflare.CloudflareApi;
import cloud.edgehive.pipeline.Faults;
import cloud.edgehive.pipeline.ProviderRejected;
import cloud.edgehive.pipeline.ProviderUnavailable;

/**
 * The Cloudflare client against WireMock answering Cloudflare's envelope: the bearer token goes with
 * every call; 429 with retry-after, 5xx and a dropped connection are transient; a 200 that says
 * {@code success:false} and a 4xx are permanent with Cloudflare's codes; and the token appears in no
 * failure.
 */
class CloudflareApiTest {

    private static final String TOKEN = "cf-api-token-for-tests-123";
    private static WireMockServer cloudflare;
    private CloudflareApi api;

    @BeforeAll
    static void start() {
        cloudflare = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        cloudflare.start();
    }

    @AfterAll
    static void stop() {
        cloudflare.stop();
    }

    @BeforeEach
    void reset() {
        cloudflare.resetAll();
        api = new CloudflareApi(cloudflare.baseUrl() + "/client/v4", TOKEN, Duration.ofSeconds(5));
    }

    @Test
    void sendsTheBearerTokenAndReturnsTheResult() {
        cloudflare.stubFor(post(urlPathEqualTo("/client/v4/accounts/acc/cfd_tunnel"))
                .withHeader("Authorization", equalTo("Bearer " + TOKEN))
                .withRequestBody(equalToJson("{\"name\":\"edge-hive-n1\",\"config_src\":\"cloudflare\"}"))
                .willReturn(json(200, "{\"success\":true,\"errors\":[],\"messages\":[],\"result\":{\"id\":\"t-1\",\"name\":\"edge-hive-n1\"}}")));
        assertEquals("t-1", api.post("/accounts/acc/cfd_tunnel", Map.of("name", "edge-hive-n1", "config_src", "cloudflare"))
                .path("id").asText());
        cloudflare.verify(1, anyRequestedFor(anyUrl()).withHeader("Authorization", equalTo("Bearer " + TOKEN)));
    }

    @Test
    void rateLimitedIsTransientAndCarriesRetryAfter() {
        cloudflare.stubFor(any(anyUrl()).willReturn(json(429, "{\"success\":false,\"errors\":[{\"code\":971,\"message\":\"Please wait and consider throttling your request speed\"}],\"messages\":[],\"result\":null}")
                .withHeader("Retry-After", "7")));
        ProviderUnavailable failure = assertThrows(ProviderUnavailable.class, () -> api.get("/zones/z/dns_records", Map.of()));
        assertEquals(Duration.ofSeconds(7), failure.retryAfter());
        assertTrue(failure.getMessage().contains("971"), failure.getMessage());
        assertTrue(new Faults().isTransient(failure));
        assertNoToken(failure);
    }

    @Test
    void serverErrorsAndBrokenConnectionsAreTransient() {
        cloudflare.stubFor(get(urlPathEqualTo("/client/v4/a")).willReturn(aResponse().withStatus(503).withBody("<html>upstream</html>")));
        ProviderUnavailable fiveHundred = assertThrows(ProviderUnavailable.class, () -> api.get("/a", Map.of()));
        assertNull(fiveHundred.retryAfter());
        assertTrue(new Faults().isTransient(fiveHundred));

        cloudflare.stubFor(get(urlPathEqualTo("/client/v4/b")).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        ProviderUnavailable reset = assertThrows(ProviderUnavailable.class, () -> api.get("/b", Map.of()));
        assertTrue(new Faults().isTransient(reset));
        assertNoToken(fiveHundred);
        assertNoToken(reset);
    }

    @Test
    void successFalseIsAFailureEvenWith200() {
        cloudflare.stubFor(post(anyUrl()).willReturn(json(200,
                "{\"success\":false,\"errors\":[{\"code\":1004,\"message\":\"DNS Validation Error\"}],\"messages\":[],\"result\":null}")));
        ProviderRejected failure = assertThrows(ProviderRejected.class, () -> api.post("/zones/z/dns_records", Map.of("type", "A")));
        assertEquals("1004", failure.code());
        assertTrue(failure.getMessage().contains("DNS Validation Error"), failure.getMessage());
        assertFalse(new Faults().isTransient(failure));
        assertNoToken(failure);
    }

    @Test
    void otherClientErrorsArePermanentWithCloudflaresCodes() {
        cloudflare.stubFor(post(anyUrl()).willReturn(json(400, "{\"success\":false,\"errors\":[{\"code\":81053,\"message\":\"An A, AAAA, or CNAME record with that host already exists.\"},{\"code\":1004,\"message\":\"DNS Validation Error\"}],\"messages\":[],\"result\":null}")));
        ProviderRejected failure = assertThrows(ProviderRejected.class, () -> api.post("/zones/z/dns_records", Map.of()));
        assertEquals("81053,1004", failure.code());
        assertFalse(new Faults().isTransient(failure));

        cloudflare.stubFor(get(anyUrl()).willReturn(json(403, "{\"success\":false,\"errors\":[{\"code\":10000,\"message\":\"Authentication error\"}],\"messages\":[],\"result\":null}")));
        ProviderRejected auth = assertThrows(ProviderRejected.class, () -> api.get("/zones/z/dns_records", Map.of()));
        assertEquals("10000", auth.code());
        assertNoToken(auth);
    }

    @Test
    void deletingWhatIsGoneIsNotAFailure() {
        cloudflare.stubFor(delete(anyUrl()).willReturn(json(404, "{\"success\":false,\"errors\":[{\"code\":81044,\"message\":\"Record does not exist.\"}],\"messages\":[],\"result\":null}")));
        assertFalse(api.delete("/zones/z/dns_records/r1"));
    }

    @Test
    void listsEveryPage() {
        for (int page = 1; page <= 3; page++) {
            cloudflare.stubFor(get(urlPathEqualTo("/client/v4/zones/z/dns_records")).withQueryParam("page", equalTo(String.valueOf(page)))
                    .withQueryParam("name", equalTo("node-a.example.com"))
                    .willReturn(json(200, "{\"success\":true,\"errors\":[],\"messages\":[],\"result\":[{\"id\":\"r" + page + "\"}],"
                            + "\"result_info\":{\"page\":" + page + ",\"per_page\":1,\"count\":1,\"total_count\":3,\"total_pages\":3}}")));
        }
        assertEquals(3, api.list("/zones/z/dns_records", Map.of("name", "node-a.example.com")).size());
        cloudflare.verify(3, anyRequestedFor(anyUrl()).withQueryParam("name", notContaining("&")));
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }

    private static void assertNoToken(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            assertFalse(String.valueOf(t.getMessage()).contains(TOKEN), "token in " + t);
        }
    }
}
