package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import cloud.edgehive.harness.Emulators;
import cloud.edgehive.harness.RunningService;

/**
 * Settings that would quietly open a hole stop the service at start-up, naming the key: local mode's
 * stand-ins (checkout page, printed admin token, in-process database) outside local mode or off
 * loopback, a webhook tolerance that disables the timestamp check, a secret once published in
 * local.properties. A deployment that verifies tokens with JWKS alone starts without an HS secret.
 */
class StartupRefusalsTest {

    @TempDir
    Path data;

    @Test
    void localOnlySwitchesOutsideLocalModeStopStartUp() {
        for (String key : new String[] {"local.checkout.enabled", "auth.local-token.enabled", "local.dynamodb.enabled"}) {
            Map<String, String> config = production();
            config.put(key, "true");
            assertRefused(null, config, key + " work in local mode only");
        }
        Map<String, String> localCheckout = production();
        localCheckout.put("billing.checkout-provider", "local");
        assertRefused(null, localCheckout, "billing.checkout-provider=local work in local mode only");
        Map<String, String> plainCookie = production();
        plainCookie.put("web.cookie-secure", "false");
        assertRefused(null, plainCookie, "web.cookie-secure=false work in local mode only");
    }

    @Test
    void localModeOffLoopbackStopsStartUp() {
        Map<String, String> config = local();
        config.put("camel.server.host", "0.0.0.0");
        assertRefused("local", config, "camel.server.host on loopback (got 0.0.0.0)");
        Map<String, String> ec2 = local();
        ec2.put("compute.provider", "ec2");
        assertRefused("local", ec2, "compute.provider=local (got ec2)");
    }

    @Test
    void aTunnelWithoutThePinnedCloudflaredChecksumsStopsStartUp() {
        Map<String, String> config = production();
        config.putAll(Map.of("access.provider", "cloudflare-tunnel", "cloudflare.api-base", "http://127.0.0.1:9",
                "cloudflare.api-token", "cf-test-token", "cloudflare.account-id", "acc", "cloudflare.zone-id", "zone"));
        assertRefused(null, config, "cloudflare.cloudflared-sha256-arm64 must be the SHA-256");
    }

    @Test
    void aToleranceThatDisablesTheTimestampCheckStopsStartUp() {
        for (String tolerance : new String[] {"0", "-300"}) {
            Map<String, String> config = production();
            config.put("stripe.webhook-tolerance-seconds", tolerance);
            assertRefused(null, config, "stripe.webhook-tolerance-seconds must be greater than 0");
        }
    }

    @Test
    void aSecretPublishedInAnOldLocalPropertiesStopsStartUp() {
        Map<String, String> config = production();
        config.put("stripe.webhook-secret", "whsec_local_mode_only_not_a_secret");
        assertRefused(null, config, "stripe.webhook-secret is a value published");
        Map<String, String> jwt = production();
        jwt.put("auth.jwt.secret", "local-mode-only-jwt-secret-0123456789abcdef");
        assertRefused(null, jwt, "auth.jwt.secret is a value published");
    }

    @Test
    void aJwksOnlyDeploymentStartsWithoutAnHsSecret() {
        Map<String, String> config = production();
        config.put("auth.jwt.secret", "");
        config.put("auth.jwt.jwks-url", "http://127.0.0.1:9/.well-known/jwks.json");
        try (RunningService service = RunningService.start(config)) {
            assertEquals(401, RunningService.send(HttpRequest.newBuilder(URI.create(service.url("/api/v1/nodes")))
                    .header("Authorization", "Bearer not-a-jwt").GET().build()).statusCode());
        }
        Map<String, String> neither = production();
        neither.put("auth.jwt.secret", "");
        assertRefused(null, neither, "auth.jwt.jwks-url");
    }

    private Map<String, String> production() {
        Map<String, String> config = RunningService.defaults(Emulators.freePort(), "ZUNUSED");
        config.put("local.data-dir", data.toString());
        return config;
    }

    private Map<String, String> local() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("local.data-dir", data.toString());
        config.put("slots.base", String.valueOf(Emulators.freePortRange(32)));
        return config;
    }

    private static void assertRefused(String profile, Map<String, String> config, String reason) {
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> RunningService.start(profile, config).close());
        StringBuilder messages = new StringBuilder();
        for (Throwable t = refused; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append(" | ");
        }
        assertTrue(messages.toString().contains(reason), "refused because " + reason + ": " + messages);
    }
}
