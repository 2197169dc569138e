package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.io.TempDir;

import cloud.edgehive.harness.Emulators;
import cloud.edgehive.harness.RunningService;
import jakarta.mail.internet.MimeMessage;

/**
 * The README's run command, as a user runs it: {@code scripts/run.sh} in a clean copy of the project
 * (the files a clone has, plus the jar {@code mvn verify} just built), with no AWS, Stripe or mail
 * configuration and an empty home folder. Reads the sign-in link from the log's last start-up line, buys a
 * node through the billing API and the local checkout page, reaches the node's
 * own process on its URL, terminates it, and checks the process is gone and the port free.
 */
class LocalModeIT {

    private static final Pattern SIGN_IN = Pattern.compile(
            "Sign in to the dashboard: (http://[^/ ]+)/app/sign-in#token=([A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+)");

    @TempDir
    Path work;

    @Test
    void runCommandFromACleanCloneBuysRunsAndTerminatesANode() throws Exception {
        Path clone = cleanClone(work.resolve("clone"));
        int port = Emulators.freePort();
        int management = Emulators.freePort();
        int slotsBase = Emulators.freePort();
        Path home = Files.createDirectories(work.resolve("home"));

        ProcessBuilder builder = new ProcessBuilder("bash", "scripts/run.sh").directory(clone.toFile()).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("STRIPE_") || k.startsWith("EDGEHIVE_")
                || k.startsWith("MAIL_") || k.startsWith("AUTH_"));
        env.put("HOME", home.toString());
        env.put("CAMEL_SERVER_PORT", String.valueOf(port));
        env.put("CAMEL_MANAGEMENT_PORT", String.valueOf(management));
        env.put("SLOTS_BASE", String.valueOf(slotsBase));
        // Production's log format, so the JSON lines and their node ids are checked too.
        env.put("LOG_FORMAT", "json");

        long launched = System.nanoTime();
        Process service = builder.start();
        List<String> output = java.util.Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Matcher> token = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(service.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null; ) {
                    output.add(line);
                    Matcher m = SIGN_IN.matcher(line);
                    if (m.find()) {
                        token.complete(m);
                    }
                }
            } catch (IOException ended) {
                // the service stopped
            }
            token.completeExceptionally(new AssertionError("the service printed no sign-in link"));
        });
        reader.setDaemon(true);
        reader.start();
        try {
            Matcher signIn;
            try {
                // A wait, not a pause: at a load of 12-15 on two cores the start took 122 s.
                signIn = token.get(240, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError("no start-up sign-in link; output:\n" + String.join("\n", output), e);
            }
            String bearer = signIn.group(2);
            String base = "http://127.0.0.1:" + port;
            assertEquals(base, signIn.group(1), "the sign-in link names the address the server bound");
            // It is the start-up log's last line: after Camel's summary of the HTTP endpoints.
            List<String> startup = List.copyOf(output);
            int last = startup.size() - 1;
            while (!SIGN_IN.matcher(startup.get(last)).find()) {
                last--;
            }
            for (int i = 0; i < last; i++) {
                assertFalse(startup.get(i).contains("Sign in to the dashboard"), "one sign-in line");
            }
            final int signInLine = last;
            assertTrue(java.util.stream.IntStream.range(0, signInLine).anyMatch(i -> startup.get(i).contains("HTTP endpoints summary")),
                    "the endpoints summary comes before the sign-in line");
            RunningService.await(Duration.ofSeconds(30), () -> answers(get("http://127.0.0.1:" + management + "/observe/health", null)),
                    () -> "health never answered 200");
            long up = System.nanoTime();

            String nodeId = LocalModeTest.buy(base, bearer, "it@example.com");
            long bought = System.nanoTime();

            String[] view = new String[1];
            RunningService.await(Duration.ofSeconds(60), () -> {
                HttpResponse<String> answer = get(base + "/local/nodes/" + nodeId, bearer);
                view[0] = answer == null ? "" : answer.body();
                return view[0].contains("\"state\":\"READY\"") || view[0].contains("\"state\":\"FAILED\"");
            }, () -> "node never settled: " + view[0]);
            assertTrue(view[0].contains("\"state\":\"READY\""), view[0]);
            long ready = System.nanoTime();
            String url = "http://localhost:" + slotsBase;
            assertTrue(view[0].contains("\"url\":\"" + url + "\""), view[0]);

            HttpResponse<String> status = get(url + "/status", null);
            assertEquals(200, status.statusCode());
            assertTrue(status.body().contains(nodeId), status.body());
            long pid = LocalModeTest.pidOf(status.body());
            assertTrue(get(url + "/", null).body().contains("Edge Hive node " + nodeId));

            MimeMessage mail = LocalModeTest.onlyMail(clone.resolve("data/local/outbox"));
            assertEquals("it@example.com", mail.getAllRecipients()[0].toString());

            HttpResponse<String> terminated = RunningService.send(HttpRequest.newBuilder(URI.create(base + "/local/nodes/" + nodeId))
                    .header("Authorization", "Bearer " + bearer).DELETE().build());
            assertEquals(200, terminated.statusCode(), terminated.body());
            assertTrue(terminated.body().contains("\"state\":\"TERMINATED\""), terminated.body());
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the node's process is gone");
            assertTrue(LocalModeTest.portFree(slotsBase), "port " + slotsBase + " is free");

            List<JsonNode> nodeLines = new ArrayList<>();
            for (String line : List.copyOf(output)) {
                if (line.startsWith("{") && line.contains(nodeId)) {
                    nodeLines.add(new ObjectMapper().readTree(line));
                }
            }
            assertTrue(nodeLines.size() >= 3, "JSON log lines about the node: " + nodeLines);
            for (JsonNode line : nodeLines) {
                if (line.path("log.logger").asText().startsWith("cloud.edgehive") || line.path("log.logger").asText().startsWith("send-mail")) {
                    assertEquals(nodeId, line.path("nodeId").asText(), () -> "no nodeId on " + line);
                }
            }

            System.out.printf("LocalModeIT: run command to healthy %d ms; checkout to READY %d ms%n",
                    (up - launched) / 1_000_000, (ready - bought) / 1_000_000);
        } finally {
            LocalModeTest.killRecordedNodes(clone.resolve("data/local/nodes"));
            service.descendants().forEach(ProcessHandle::destroy);
            service.destroy();
            if (!service.waitFor(30, TimeUnit.SECONDS)) {
                service.destroyForcibly();
            }
        }
    }

    private static boolean answers(HttpResponse<String> response) {
        return response != null && response.statusCode() == 200;
    }

    private static HttpResponse<String> get(String url, String bearer) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET();
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        try {
            return RunningService.send(request.build());
        } catch (IllegalStateException nothingListeningYet) {
            return null;
        }
    }

    /**
     * What a fresh clone holds: the files git tracks (or would, once committed), with their times, plus
     * the jar this build produced, so scripts/run.sh finds it current and does not rebuild.
     */
    private static Path cleanClone(Path target) throws Exception {
        Path project = Path.of(System.getProperty("edgehive.project.dir", ".")).toAbsolutePath();
        Process ls = new ProcessBuilder("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
                .directory(project.toFile()).redirectErrorStream(true).start();
        String listing = new String(ls.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, ls.waitFor(), listing);
        for (String file : listing.split("\0")) {
            Path source = project.resolve(file);
            if (file.isEmpty() || !Files.isRegularFile(source)) {
                continue;
            }
            Path copy = target.resolve(file);
            Files.createDirectories(copy.getParent());
            Files.copy(source, copy, StandardCopyOption.COPY_ATTRIBUTES);
        }
        Path jar = project.resolve("target/edge-hive-cloud.jar");
        assertTrue(Files.isRegularFile(jar), "run mvn verify: the jar is built in package, before this test");
        Files.createDirectories(target.resolve("target"));
        Files.copy(jar, target.resolve("target/edge-hive-cloud.jar"), StandardCopyOption.COPY_ATTRIBUTES);
        // Local mode's DynamoDB Local, which packaging keeps out of the service jar.
        Files.createDirectories(target.resolve("target/local-lib"));
        try (var libs = Files.list(project.resolve("target/local-lib"))) {
            for (Path lib : libs.toList()) {
                Files.copy(lib, target.resolve("target/local-lib").resolve(lib.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        assertFalse(Files.exists(target.resolve("data")), "a clean clone has no data");
        return target;
    }
}
