package cloud.edgehive.harness;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;

import cloud.edgehive.EdgeHive;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.route53.Route53Client;

/**
 * The real service (same Main, routes and properties as production) started in the test JVM,
 * pointed at the emulators. Overrides replace only what a test machine must differ in.
 */
public final class RunningService implements AutoCloseable {

    public static final String WEBHOOK_SECRET = "whsec_test_c2VjcmV0LWZvci10ZXN0cw";
    public static final String JWT_SECRET = "test-jwt-secret-that-is-at-least-32-bytes-long";

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final CamelContext context;
    private final AutoCloseable stop;
    private final int port;
    private final int managementPort;

    private RunningService(CamelContext context, AutoCloseable stop, int port, int managementPort) {
        this.context = context;
        this.stop = stop;
        this.port = port;
        this.managementPort = managementPort;
    }

    /**
     * The service Camel's test kit started ({@link ServiceTest}): the same client methods, while the kit
     * owns the context's life, so closing this stops nothing.
     */
    static RunningService startedByTheKit(CamelContext context, int port, int managementPort) {
        return new RunningService(context, () -> { }, port, managementPort);
    }

    /** Settings every test run needs: emulator endpoints, fast retries, test secrets. */
    /**
     * Pinned checksums of a cloudflared no test downloads: required with {@code cloudflare-tunnel}, so
     * the tests that use it add them; every other test starts with the shipped empty defaults.
     */
    public static final Map<String, String> CLOUDFLARED_PINS = Map.of(
            "cloudflare.cloudflared-sha256-arm64", "a".repeat(64),
            "cloudflare.cloudflared-sha256-amd64", "b".repeat(64));

    public static Map<String, String> defaults(int smtpPort, String hostedZoneId) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("aws.endpoint", Emulators.moto().url());
        p.put("stripe.webhook-secret", WEBHOOK_SECRET);
        p.put("node.token-secret", "test-node-token-secret");
        p.put("ec2.ami-name-pattern", "al2022-ami-*-arm64");
        p.put("route53.hosted-zone-id", hostedZoneId);
        p.put("dns.zone", "nodes.test.example");
        p.put("mail.smtp.port", String.valueOf(smtpPort));
        p.put("mail.smtp.host", "127.0.0.1");
        p.put("mail.from", "Edge Hive <nodes@test.example>");
        p.put("retry.max-redeliveries", "3");
        p.put("retry.delay-ms", "50");
        p.put("retry.max-delay-ms", "200");
        p.put("compute.poll-delay-ms", "50");
        p.put("compute.poll-max-delay-ms", "200");
        p.put("reconciler.interval-ms", "1000");
        p.put("reconciler.initial-delay-ms", "1000");
        p.put("reconciler.event-grace-seconds", "2");
        p.put("camel.main.shutdownTimeout", "5");
        p.put("auth.jwt.secret", JWT_SECRET);
        return p;
    }

    public static RunningService start(Map<String, String> overrides) {
        return start(null, overrides, Map.of());
    }

    /**
     * As {@link #start(Map)}, with beans bound before start-up: the service uses a bound
     * {@link java.time.Clock} instead of the system clock, so a test can move time.
     */
    public static RunningService start(Map<String, String> overrides, Map<String, Object> beans) {
        return start(null, overrides, beans);
    }

    /** The service with a profile overlay (e.g. {@code local}) as {@code EDGEHIVE_PROFILE} selects it. */
    public static RunningService start(String profile, Map<String, String> overrides) {
        return start(profile, overrides, Map.of());
    }

    public static RunningService start(String profile, Map<String, String> overrides, Map<String, Object> beans) {
        int port = Emulators.freePort();
        int managementPort = Emulators.freePort();
        Main main = EdgeHive.newMain(profile);
        beans.forEach(main::bind);
        overrides.forEach(main::addOverrideProperty);
        main.addOverrideProperty("camel.server.port", String.valueOf(port));
        main.addOverrideProperty("camel.management.port", String.valueOf(managementPort));
        try {
            main.start();
        } catch (Exception e) {
            throw new IllegalStateException("Service failed to start", e);
        }
        return new RunningService(main.getCamelContext(), main::stop, port, managementPort);
    }

    public CamelContext context() {
        return context;
    }

    public <T> T bean(String name, Class<T> type) {
        return context().getRegistry().lookupByNameAndType(name, type);
    }

    public NodeStore nodes() {
        return bean("nodeStore", NodeStore.class);
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    public String managementUrl(String path) {
        return "http://127.0.0.1:" + managementPort + path;
    }

    public HttpResponse<String> postWebhook(byte[] body, String signature) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url("/api/v1/stripe/webhook")))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (signature != null) {
            request.header("Stripe-Signature", signature);
        }
        return send(request.build());
    }

    public HttpResponse<String> postSignedWebhook(String payload) {
        byte[] body = payload.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return postWebhook(body, StripeSigner.header(WEBHOOK_SECRET, body));
    }

    public static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits for a node to reach a state by reading DynamoDB, never by sleeping a fixed time. */
    public Node awaitNode(String nodeId, Duration timeout, java.util.function.Predicate<Node> condition) {
        Node[] last = new Node[1];
        await(timeout, () -> {
            last[0] = nodes().find(nodeId).orElse(null);
            return last[0] != null && condition.test(last[0]);
        }, () -> "node " + nodeId + " is " + (last[0] == null ? "absent" : last[0].state() + " " + last[0].history()));
        return last[0];
    }

    public static void await(Duration timeout, BooleanSupplier condition, java.util.function.Supplier<String> describe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 10;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out after " + timeout.toSeconds() + " s: " + describe.get());
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            pause = Math.min(pause * 2, 200);
        }
    }

    public static Ec2Client ec2() {
        return Ec2Client.builder().endpointOverride(URI.create(Emulators.moto().url())).region(Region.US_EAST_1)
                .credentialsProvider(testCredentials()).build();
    }

    public static Ec2Client ec2(String region) {
        return Ec2Client.builder().endpointOverride(URI.create(Emulators.moto().url())).region(Region.of(region))
                .credentialsProvider(testCredentials()).build();
    }

    public static EcsClient ecs(String region) {
        return EcsClient.builder().endpointOverride(URI.create(Emulators.moto().url())).region(Region.of(region))
                .credentialsProvider(testCredentials()).build();
    }

    public static Route53Client route53() {
        return Route53Client.builder().endpointOverride(URI.create(Emulators.moto().url())).region(Region.AWS_GLOBAL)
                .credentialsProvider(testCredentials()).build();
    }

    public static DynamoDbClient dynamo() {
        return DynamoDbClient.builder().endpointOverride(URI.create(Emulators.moto().url())).region(Region.US_EAST_1)
                .credentialsProvider(testCredentials()).build();
    }

    private static StaticCredentialsProvider testCredentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));
    }

    @Override
    public void close() {
        try {
            stop.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
