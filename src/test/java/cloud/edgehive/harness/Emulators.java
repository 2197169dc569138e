package cloud.edgehive.harness;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The real emulators the tests talk to, started once per test JVM as child processes on free ports:
 * moto's server (AWS) and stripe-mock (Stripe API). {@code scripts/install-tools.sh} installs both
 * into {@code .tools/}; the test command runs it first.
 */
public final class Emulators {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static Emulator moto;
    private static Emulator stripe;

    private Emulators() {
    }

    public record Emulator(String name, Process process, int port, Path log) {
        public String url() {
            return "http://127.0.0.1:" + port;
        }
    }

    public static synchronized Emulator moto() {
        if (moto == null) {
            int port = freePort();
            moto = start("moto", List.of(tool("venv/bin/moto_server").toString(), "-H", "127.0.0.1", "-p", String.valueOf(port)), port,
                    "/moto-api/data.json");
        }
        return moto;
    }

    public static synchronized Emulator stripe() {
        if (stripe == null) {
            int port = freePort();
            stripe = start("stripe-mock", List.of(tool("go/bin/stripe-mock").toString(), "-http-port", String.valueOf(port),
                    "-https-port", String.valueOf(freePort())), port, "/v1/customers");
        }
        return stripe;
    }

    /** Clears every AWS resource in moto: each test class starts from an empty account. */
    public static void resetAws() {
        post(moto().url() + "/moto-api/reset", "");
    }

    public static String post(String url, String json) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 300) {
                throw new IllegalStateException(url + " answered " + response.statusCode() + ": " + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The first of {@code count} consecutive free ports, below the kernel's ephemeral range (which
     * starts at 32768): a base taken from {@link #freePort()} sits among ports the test JVM's own
     * outgoing connections take at any moment, so {@code base + n} may be gone by the time a node
     * process binds it. For {@code slots.base}, whose slots are ports.
     */
    public static int freePortRange(int count) {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = random.nextInt(20_000, 32_000 - count);
            if (java.util.stream.IntStream.range(base, base + count).allMatch(Emulators::bindable)) {
                return base;
            }
        }
        throw new IllegalStateException("No " + count + " consecutive free ports below 32000");
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket(port)) {
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path tool(String relative) {
        Path path = Path.of(System.getProperty("edgehive.tools.dir", ".tools")).resolve(relative);
        if (!Files.isExecutable(path)) {
            throw new IllegalStateException(path + " is missing: run scripts/install-tools.sh (the test command does)");
        }
        return path;
    }

    private static Emulator start(String name, List<String> command, int port, String readyPath) {
        try {
            Path log = Files.createTempFile(name + "-", ".log");
            List<String> cmd = new ArrayList<>(command);
            Process process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> process.descendants().forEach(ProcessHandle::destroy)));
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
            Emulator emulator = new Emulator(name, process, port, log);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(name + " exited: " + Files.readString(log));
                }
                try {
                    HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(URI.create(emulator.url() + readyPath))
                            .header("Authorization", "Bearer sk_test_123").timeout(Duration.ofSeconds(2)).GET().build(),
                            HttpResponse.BodyHandlers.discarding());
                    if (r.statusCode() < 500) {
                        return emulator;
                    }
                } catch (IOException notYet) {
                    // still starting
                }
                Thread.sleep(100);
            }
            throw new IllegalStateException(name + " did not start within 60 s; log: " + log + File.separator);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
