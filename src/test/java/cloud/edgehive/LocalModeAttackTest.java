package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import cloud.edgehive.auth.LocalToken;
import cloud.edgehive.harness.Emulators;
import cloud.edgehive.harness.RunningService;
import cloud.edgehive.harness.StripeSigner;
import cloud.edgehive.harness.Tokens;
import cloud.edgehive.store.EventStore;

/**
 * The attacks on local mode from a web page open in the user's browser: forge a webhook or an admin
 * token with the secrets every copy of local.properties used to share, and reach the API through
 * a DNS name of its own that it rebinds to 127.0.0.1. The secrets are now this machine's own
 * (random, in files only this user can read) and requests for any name but localhost are refused.
 */
class LocalModeAttackTest {

    private static final String OLD_WEBHOOK_SECRET = "whsec_local_mode_only_not_a_secret";
    private static final String OLD_JWT_SECRET = "local-mode-only-jwt-secret-0123456789abcdef";

    @TempDir
    Path data;

    @AfterEach
    void stopLeftoverNodes() throws IOException {
        LocalModeTest.killRecordedNodes(data.resolve("nodes"));
    }

    @Test
    void secretsAreThisMachinesOwnAndTheOldPublishedOnesAreRefused() throws Exception {
        String webhookSecret;
        try (RunningService service = RunningService.start("local", overrides())) {
            Path folder = data.resolve("secrets");
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(folder)));
            for (String name : List.of("stripe-webhook-secret", "node-token-secret", "auth-jwt-secret")) {
                Path file = folder.resolve(name);
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), file.toString());
                assertTrue(Files.readString(file).trim().length() >= 43, "32 random bytes in " + file);
            }
            webhookSecret = service.context().getPropertiesComponent().resolveProperty("stripe.webhook-secret").orElseThrow();
            assertEquals("whsec_" + Files.readString(folder.resolve("stripe-webhook-secret")).trim(), webhookSecret);
            assertNotEquals(OLD_WEBHOOK_SECRET, webhookSecret);

            // A webhook signed with the old secret: refused, nothing recorded.
            byte[] forged = StripeSigner.checkoutCompleted("evt_forged_local", "cs_forged_local", "local-user", "x@example.com",
                    StripeSigner.PRO_PLAN).getBytes(StandardCharsets.UTF_8);
            assertEquals(400, service.postWebhook(forged, StripeSigner.header(OLD_WEBHOOK_SECRET, forged)).statusCode());
            assertEquals(null, service.bean("eventStore", EventStore.class).status("evt_forged_local"));

            // An admin token signed with the old secret: refused on the API and on the local pages.
            String forgedAdmin = Tokens.sign(OLD_JWT_SECRET, Tokens.claims("local-user", List.of("admin"), Instant.now().plusSeconds(300))
                    .build());
            for (String path : List.of("/api/v1/nodes", "/local/nodes/cs_forged_local-0", "/api/v1/admin/dead-letters")) {
                assertEquals(401, get(service, path, forgedAdmin).statusCode(), path);
            }
            // The printed token (this machine's secret) works.
            assertEquals(200, get(service, "/api/v1/nodes", service.bean("localToken", LocalToken.class).mint()).statusCode());
        }
        try (RunningService again = RunningService.start("local", overrides())) {
            assertEquals(webhookSecret, again.context().getPropertiesComponent().resolveProperty("stripe.webhook-secret").orElseThrow(),
                    "a restart keeps the machine's secrets");
        }
    }

    @Test
    void aRequestForAnotherHostNameIsRefused() throws Exception {
        try (RunningService service = RunningService.start("local", overrides())) {
            int port = URI.create(service.url("/")).getPort();
            for (String host : List.of("evil.example:" + port, "evil.example", "127.0.0.1.nip.io:" + port)) {
                assertTrue(rawGet(port, "/local/checkout", host).startsWith("HTTP/1.1 403"), host);
                assertTrue(rawGet(port, "/api/v1/openapi.json", host).startsWith("HTTP/1.1 403"), host);
            }
            for (String host : List.of("localhost:" + port, "127.0.0.1:" + port, "localhost")) {
                assertTrue(rawGet(port, "/local/checkout", host).startsWith("HTTP/1.1 200"), host);
            }
        }
    }

    /** Java's HTTP client will not send a Host header of its choosing; a browser after DNS rebinding does. */
    private static String rawGet(int port, String path, String host) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static HttpResponse<String> get(RunningService service, String path, String token) {
        return RunningService.send(HttpRequest.newBuilder(URI.create(service.url(path))).header("Authorization", "Bearer " + token)
                .GET().build());
    }

    private Map<String, String> overrides() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("local.data-dir", data.toString());
        p.put("slots.base", String.valueOf(Emulators.freePortRange(32)));
        p.put("camel.main.shutdownTimeout", "5");
        return p;
    }
}
