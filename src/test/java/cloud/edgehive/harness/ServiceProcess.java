package cloud.edgehive.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The service as a separate operating-system process (same main class, routes and properties, the
 * overrides appended to a copy of application.properties), so a test can SIGKILL it mid-work and
 * start another one, or run two replicas side by side.
 */
public final class ServiceProcess implements AutoCloseable {

    private final Process process;
    private final int port;
    private final int managementPort;
    private final Path log;

    private ServiceProcess(Process process, int port, int managementPort, Path log) {
        this.process = process;
        this.port = port;
        this.managementPort = managementPort;
        this.log = log;
    }

    public static ServiceProcess start(String name, Map<String, String> overrides) {
        return start(name, overrides, Map.of());
    }

    /**
     * As {@link #start(String, Map)} with a profile overlay ({@code EDGEHIVE_PROFILE}, e.g. {@code local}).
     * The profile's file overrides the configuration file the overrides are appended to, and only the
     * environment overrides the profile, so with a profile every override is also passed as its
     * environment variable (as an operator would).
     */
    public static ServiceProcess start(String name, String profile, Map<String, String> overrides) {
        if (profile == null || profile.isBlank()) {
            return start(name, overrides);
        }
        Map<String, String> environment = new java.util.LinkedHashMap<>();
        environment.put("EDGEHIVE_PROFILE", profile);
        overrides.forEach((key, value) -> environment.put(cloud.edgehive.Settings.envName(key), value));
        return start(name, overrides, environment);
    }

    /** As {@link #start(String, Map)}, with more environment variables (e.g. secrets, as production passes them). */
    public static ServiceProcess start(String name, Map<String, String> overrides, Map<String, String> environment) {
        try {
            int port = Emulators.freePort();
            int management = Emulators.freePort();
            StringBuilder config = new StringBuilder(Files.readString(Path.of("application.properties")));
            config.append("\n# test overrides\n");
            overrides.forEach((k, v) -> config.append(k).append(" = ").append(v).append('\n'));
            Path file = Files.createTempFile("edgehive-" + name + "-", ".properties");
            Files.writeString(file, config.toString(), StandardCharsets.UTF_8);
            Path log = Files.createTempFile("edgehive-" + name + "-", ".log");
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx384m", "-XX:TieredStopAtLevel=1",
                    "-cp", System.getProperty("java.class.path"),
                    "cloud.edgehive.EdgeHive"));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("EDGEHIVE_CONFIG", file.toString());
            builder.environment().put("CAMEL_SERVER_PORT", String.valueOf(port));
            builder.environment().put("CAMEL_MANAGEMENT_PORT", String.valueOf(management));
            builder.environment().put("AWS_ACCESS_KEY_ID", "testing");
            builder.environment().put("AWS_SECRET_ACCESS_KEY", "testing");
            builder.environment().putAll(environment);
            Process process = builder.start();
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
            ServiceProcess service = new ServiceProcess(process, port, management, log);
            service.awaitHealthy(management);
            return service;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGKILL: no shutdown hook, no graceful stop, exactly like a crashed machine. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public HttpResponse<String> postSignedWebhook(String payload) {
        byte[] body = payload.getBytes(StandardCharsets.UTF_8);
        return RunningService.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/stripe/webhook"))
                .header("Content-Type", "application/json")
                .header("Stripe-Signature", StripeSigner.header(RunningService.WEBHOOK_SECRET, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    public String managementUrl(String path) {
        return "http://127.0.0.1:" + managementPort + path;
    }

    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private void awaitHealthy(int management) {
        RunningService.await(Duration.ofSeconds(60), () -> {
            if (!process.isAlive()) {
                throw new AssertionError("service process exited: " + log());
            }
            try {
                return RunningService.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management + "/observe/health"))
                        .timeout(Duration.ofSeconds(2)).GET().build()).statusCode() == 200;
            } catch (RuntimeException notYet) {
                return false;
            }
        }, () -> "service process did not become healthy: " + log());
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
