package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import cloud.edgehive.auth.LocalToken;
import cloud.edgehive.harness.Emulators;
import cloud.edgehive.harness.RunningService;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeState;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

/**
 * Local mode in this JVM (the same Main and local.properties overlay that scripts/run.sh uses):
 * DynamoDB Local in process, nodes as processes, emails as .eml files, the local checkout page, and
 * a restart that keeps and re-adopts everything. LocalModeIT runs the real run command instead.
 */
class LocalModeTest {

    private static final Duration READY_WITHIN = Duration.ofSeconds(60);

    @TempDir
    Path data;

    @Test
    void checkoutPageToRunningProcessToTerminatedAndPortFree() throws Exception {
        int base = Emulators.freePortRange(32);
        try (RunningService service = RunningService.start("local", overrides(base))) {
            HttpResponse<String> page = RunningService.send(HttpRequest.newBuilder(URI.create(service.url("/local/checkout"))).GET().build());
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("href=\"/app/buy\""), "without an order, the page sends buyers to the dashboard: " + page.body());

            String nodeId = buy(service, "local@example.com");
            Node node = service.awaitNode(nodeId, READY_WITHIN, n -> n.state().isFinal() || n.state() == NodeState.READY);
            assertEquals(NodeState.READY, node.state(), () -> node.state() + ": " + node.lastError() + " " + node.history());
            assertEquals("http://localhost:" + base, node.url());

            HttpResponse<String> status = RunningService.send(HttpRequest.newBuilder(URI.create(node.url() + "/status")).GET().build());
            assertEquals(200, status.statusCode());
            assertTrue(status.body().contains("\"nodeId\":\"" + nodeId + "\""), status.body());
            long pid = pidOf(status.body());
            assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));

            MimeMessage mail = onlyMail(data.resolve("outbox"));
            assertEquals("local@example.com", mail.getAllRecipients()[0].toString());
            assertEquals("Your Edge Hive node " + node.hostLabel() + " is ready", mail.getSubject());
            assertTrue(new String(mail.getInputStream().readAllBytes()).contains(node.url()) || raw(mail).contains(node.url()));

            String token = service.bean("localToken", LocalToken.class).mint();
            HttpResponse<String> view = RunningService.send(HttpRequest.newBuilder(URI.create(service.url("/local/nodes/" + nodeId)))
                    .header("Authorization", "Bearer " + token).GET().build());
            assertEquals(200, view.statusCode(), view.body());
            assertTrue(view.body().contains("\"state\":\"READY\""), view.body());
            assertEquals(401, RunningService.send(HttpRequest.newBuilder(URI.create(service.url("/local/nodes/" + nodeId)))
                    .DELETE().build()).statusCode());

            HttpResponse<String> terminated = RunningService.send(HttpRequest.newBuilder(URI.create(service.url("/local/nodes/" + nodeId)))
                    .header("Authorization", "Bearer " + token).DELETE().build());
            assertEquals(200, terminated.statusCode(), terminated.body());
            assertTrue(terminated.body().contains("\"state\":\"TERMINATED\""), terminated.body());
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "node process is gone");
            assertTrue(portFree(base), "port " + base + " is free again");
        }
    }

    @Test
    void restartKeepsNodesAndReadoptsTheirProcesses() throws Exception {
        int base = Emulators.freePortRange(32);
        String nodeId;
        long pid;
        try (RunningService first = RunningService.start("local", overrides(base))) {
            nodeId = buy(first, "restart@example.com");
            Node node = first.awaitNode(nodeId, READY_WITHIN, n -> n.state().isFinal() || n.state() == NodeState.READY);
            assertEquals(NodeState.READY, node.state(), node::lastError);
            pid = pidOf(RunningService.send(HttpRequest.newBuilder(URI.create(node.url() + "/status")).GET().build()).body());
        }
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "a node outlives the control plane, like an instance");
        try (RunningService second = RunningService.start("local", overrides(base))) {
            Node node = second.nodes().get(nodeId);
            assertEquals(NodeState.READY, node.state(), "DynamoDB Local kept the node in " + data);
            assertEquals(pid, pidOf(RunningService.send(HttpRequest.newBuilder(URI.create(node.url() + "/status")).GET().build()).body()),
                    "the running process was adopted, not replaced");
            String token = second.bean("localToken", LocalToken.class).mint();
            assertEquals(200, RunningService.send(HttpRequest.newBuilder(URI.create(second.url("/local/nodes/" + nodeId)))
                    .header("Authorization", "Bearer " + token).DELETE().build()).statusCode());
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
            assertTrue(portFree(base));
        }
    }

    @Test
    void localPagesAnswer404OutsideLocalMode() {
        try (RunningService production = RunningService.start(RunningService.defaults(Emulators.freePort(), "ZUNUSED"))) {
            for (String path : List.of("/local/checkout", "/local/nodes/anything")) {
                assertEquals(404, RunningService.send(HttpRequest.newBuilder(URI.create(production.url(path))).GET().build()).statusCode(), path);
            }
        }
    }

    @Test
    void theCheckoutRefusesAPostWithoutItsCsrfTokenAndBuysNothing() {
        try (RunningService service = RunningService.start("local", overrides(Emulators.freePortRange(32)))) {
            String bearer = service.bean("localToken", LocalToken.class).mint();
            HttpResponse<String> checkout = RunningService.send(HttpRequest.newBuilder(URI.create(service.url("/api/v1/billing/checkout")))
                    .header("Authorization", "Bearer " + bearer).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"plan\":\"pro\",\"region\":\"us-east-1\",\"instanceType\":\"t4g.small\","
                            + "\"storageGb\":10,\"returnUrl\":\"" + service.url("/app/nodes") + "\"}")).build());
            Matcher url = Pattern.compile("\"url\":\"([^\"]+)\"").matcher(checkout.body());
            assertTrue(url.find(), checkout.body());
            HttpResponse<String> page = RunningService.send(HttpRequest.newBuilder(URI.create(url.group(1))).GET().build());
            String cookie = page.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
            String csrf = cookie.substring(cookie.indexOf('=') + 1);
            String order = "order=" + java.net.URLEncoder.encode(url.group(1).substring(url.group(1).indexOf("order=") + 6),
                    java.nio.charset.StandardCharsets.UTF_8) + "&email=x%40example.com";
            // No token in the form; the token but not the cookie (another site's page); a wrong token.
            for (String[] attempt : List.of(new String[] {order, cookie}, new String[] {order + "&csrf=" + csrf, null},
                    new String[] {order + "&csrf=forged", cookie})) {
                HttpRequest.Builder post = HttpRequest.newBuilder(URI.create(service.url("/local/checkout")))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(attempt[0]));
                if (attempt[1] != null) {
                    post.header("Cookie", attempt[1]);
                }
                HttpResponse<String> refused = RunningService.send(post.build());
                assertEquals(403, refused.statusCode(), refused.body());
                assertTrue(refused.body().contains("Form refused"), refused.body());
            }
            assertTrue(service.nodes().byUser("local-user").isEmpty(), "nothing was bought");
        }
    }

    @Test
    void theStartupSignInIsAPlainUsersAndTheCommandIssuesNewOnes() {
        try (RunningService service = RunningService.start("local", overrides(Emulators.freePortRange(32)))) {
            cloud.edgehive.auth.TokenVerifier verifier = service.bean("tokenVerifier", cloud.edgehive.auth.TokenVerifier.class);
            assertFalse(verifier.verify("Bearer " + service.bean("localToken", LocalToken.class).mint()).admin(),
                    "the printed sign-in is not an admin's");
            for (boolean admin : new boolean[] {false, true}) {
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                String[] args = admin ? new String[] {"sign-in", "--admin"} : new String[] {"sign-in"};
                assertEquals(0, cloud.edgehive.web.SignInCommand.run(EdgeHive.placeholderLocations("local"), overrides(0), args,
                        new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8)));
                Matcher link = Pattern.compile("/app/sign-in#token=(\\S+)").matcher(out.toString(java.nio.charset.StandardCharsets.UTF_8));
                assertTrue(link.find(), out::toString);
                cloud.edgehive.auth.Caller caller = verifier.verify("Bearer " + link.group(1));
                assertEquals("local-user", caller.userId());
                assertEquals(admin, caller.admin(), "admin only when asked for");
            }
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        assertEquals(1, cloud.edgehive.web.SignInCommand.run(EdgeHive.placeholderLocations(null), new String[] {"sign-in"},
                new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8)), "refused outside local mode");
    }

    /** A failed test must not leave node processes behind: stop whatever the records still name. */
    @org.junit.jupiter.api.AfterEach
    void stopLeftoverNodes() throws IOException {
        killRecordedNodes(data.resolve("nodes"));
    }

    static void killRecordedNodes(Path nodes) throws IOException {
        if (!Files.isDirectory(nodes)) {
            return;
        }
        try (Stream<Path> records = Files.list(nodes)) {
            for (Path record : records.filter(f -> f.toString().endsWith(".node")).toList()) {
                Properties p = new Properties();
                try (InputStream in = Files.newInputStream(record)) {
                    p.load(in);
                }
                ProcessHandle.of(Long.parseLong(p.getProperty("pid", "0"))).ifPresent(ProcessHandle::destroy);
            }
        }
    }

    private Map<String, String> overrides(int slotsBase) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("local.data-dir", data.toString());
        p.put("slots.base", String.valueOf(slotsBase));
        p.put("camel.main.shutdownTimeout", "5");
        p.put("reconciler.initial-delay-ms", "1000");
        return p;
    }

    static String buy(RunningService service, String email) {
        return buy(service.url(""), service.bean("localToken", LocalToken.class).mint(), email);
    }

    /**
     * Buys one Pro node as a client of the API would in local mode: the billing API's checkout (plan
     * and quota checked) gives the local checkout page's URL; that page's form, posted with its CSRF
     * token and cookie, completes through the real webhook and returns to the return URL with the
     * session id, from which the node id derives. Returns the node id.
     */
    static String buy(String base, String bearer, String email) {
        HttpResponse<String> checkout = RunningService.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/billing/checkout"))
                .header("Authorization", "Bearer " + bearer).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"plan\":\"pro\",\"region\":\"us-east-1\",\"instanceType\":\"t4g.small\","
                        + "\"storageGb\":10,\"returnUrl\":\"" + base + "/app/nodes\"}")).build());
        assertEquals(200, checkout.statusCode(), checkout.body());
        Matcher url = Pattern.compile("\"url\":\"([^\"]+)\"").matcher(checkout.body());
        assertTrue(url.find(), checkout.body());
        HttpResponse<String> page = RunningService.send(HttpRequest.newBuilder(URI.create(url.group(1))).GET().build());
        assertEquals(200, page.statusCode(), page.body());
        String cookie = page.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
        String form = "csrf=" + field(page.body(), "csrf") + "&order=" + field(page.body(), "order") + "&email="
                + java.net.URLEncoder.encode(email, java.nio.charset.StandardCharsets.UTF_8);
        HttpResponse<String> done = RunningService.send(HttpRequest.newBuilder(URI.create(base + "/local/checkout"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Cookie", cookie)
                .POST(HttpRequest.BodyPublishers.ofString(form)).build());
        assertEquals(303, done.statusCode(), done.body());
        Matcher session = Pattern.compile("session_id=(cs_local_[0-9a-f]+)").matcher(done.headers().firstValue("Location").orElse(""));
        assertTrue(session.find(), done.headers().map().toString());
        return session.group(1) + "-0";
    }

    private static String field(String html, String name) {
        Matcher value = Pattern.compile("name=\"" + name + "\" value=\"([^\"]+)\"").matcher(html);
        assertTrue(value.find(), html);
        return java.net.URLEncoder.encode(value.group(1), java.nio.charset.StandardCharsets.UTF_8);
    }

    static long pidOf(String statusJson) {
        Matcher m = Pattern.compile("\"pid\":(\\d+)").matcher(statusJson);
        assertTrue(m.find(), statusJson);
        return Long.parseLong(m.group(1));
    }

    static boolean portFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    static MimeMessage onlyMail(Path outbox) throws Exception {
        List<Path> files;
        try (Stream<Path> listing = Files.list(outbox)) {
            files = listing.filter(f -> f.toString().endsWith(".eml")).toList();
        }
        assertEquals(1, files.size(), "one email in " + outbox + ": " + files);
        try (InputStream in = Files.newInputStream(files.get(0))) {
            return new MimeMessage(Session.getInstance(new Properties()), in);
        }
    }

    private static String raw(MimeMessage mail) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        mail.writeTo(out);
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

}
