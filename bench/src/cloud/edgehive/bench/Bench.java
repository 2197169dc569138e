package cloud.edgehive.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeIds;
import cloud.edgehive.store.NodeRequest;
import cloud.edgehive.store.NodeState;
import cloud.edgehive.store.NodeStore;
import cloud.edgehive.store.SlotAllocator;
import cloud.edgehive.store.Tables;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Every benchmark with its baseline, in one run on one machine: {@code scripts/bench.sh [--smoke]}.
 * Baseline and subject run side by side and interleave, so a busy machine slows both alike and the
 * ratios stay meaningful where absolute times do not.
 */
public final class Bench {

    static final String WEBHOOK_SECRET = "whsec_bench_c2VjcmV0LWZvci1iZW5jaA";
    static final String JWT_SECRET = "bench-jwt-secret-that-is-at-least-32-bytes-long";
    static final int SLOT_BASE = 21000;

    /** How much of everything a run does. */
    record Counts(int webhookEvents, int webhookRounds, int clients, int pipelinePurchases, int slotClaims, int slotThreads,
                  int listSmall, int listLarge, int listRequests, int startRuns, int burstPurchases) {
        static Counts full() {
            return new Counts(3000, 3, 50, 20, 1000, 32, 1_000, 100_000, 400, 3, 1000);
        }

        static Counts smoke() {
            return new Counts(100, 1, 50, 3, 64, 8, 100, 1_000, 20, 1, 10);
        }
    }

    private final Path repo;
    private final Path work;
    private final boolean smoke;
    private final Counts counts;
    private final Report report;
    private final Set<String> only;
    private final String runId = Long.toString(System.currentTimeMillis(), 36);
    private int ddbPort;
    private DynamoDbClient dynamo;
    private final List<Proc> procs = new ArrayList<>();

    private Bench(Path repo, Path work, boolean smoke, Set<String> only) {
        this.repo = repo;
        this.work = work;
        this.smoke = smoke;
        this.counts = smoke ? Counts.smoke() : Counts.full();
        this.report = new Report(!smoke);
        this.only = only;
    }

    public static void main(String[] args) throws Exception {
        boolean smoke = false;
        Set<String> only = new HashSet<>();
        for (String arg : args) {
            if (arg.equals("--smoke")) {
                smoke = true;
            } else if (arg.startsWith("--only=")) {
                only.addAll(List.of(arg.substring(7).split(",")));
            } else {
                throw new IllegalArgumentException("usage: bench [--smoke] [--only=startup,webhook,slots,list,pipeline,burst]");
            }
        }
        Path repo = Path.of("").toAbsolutePath();
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(Instant.now());
        Path work = repo.resolve("bench/work").resolve(stamp);
        Bench bench = new Bench(repo, work, smoke, only);
        int status = 0;
        try {
            bench.run();
        } catch (RuntimeException e) {
            e.printStackTrace();
            bench.report.notes.add("The run stopped early: " + e);
            status = 1;
        } finally {
            bench.stopAll();
        }
        Path results = repo.resolve(smoke ? "bench/work" : "bench/results");
        bench.report.json.put("finished", Instant.now().toString());
        bench.report.write(results, stamp + (smoke ? "-smoke" : ""));
        System.out.println();
        System.out.println(bench.report.markdown());
        System.out.println("Results: " + results.resolve(stamp + (smoke ? "-smoke" : "") + ".{json,md,svg}"));
        if (!smoke && bench.only.isEmpty() && status == 0) {
            bench.publish(results, stamp);
        }
        System.exit(status);
    }

    /** The latest full run becomes bench/results/latest.* and the README's table. */
    private void publish(Path results, String stamp) throws IOException {
        for (String ext : List.of("json", "md", "svg")) {
            Files.copy(results.resolve(stamp + "." + ext), results.resolve("latest." + ext), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Path readme = repo.resolve("README.md");
        String text = Files.readString(readme);
        String start = "<!-- bench:latest -->";
        String end = "<!-- /bench:latest -->";
        int from = text.indexOf(start);
        int to = text.indexOf(end);
        if (from >= 0 && to > from) {
            String block = start + "\nMeasured " + stamp + " (`scripts/bench.sh`, load average " + report.json.get("loadAverageAtEnd")
                    + " at the end):\n\n" + report.markdown() + "\n![Latency distributions](bench/results/latest.svg)\n";
            Files.writeString(readme, text.substring(0, from) + block + text.substring(to));
        }
    }

    private boolean selected(String name) {
        return only.isEmpty() || only.contains(name);
    }

    private void run() throws Exception {
        Files.createDirectories(work);
        report.json.put("mode", smoke ? "smoke" : "full");
        report.json.put("started", Instant.now().toString());
        report.json.put("machine", Map.of("cores", Runtime.getRuntime().availableProcessors(), "loadAverageAtStart", loadAverage(),
                "java", System.getProperty("java.version")));
        report.json.put("counts", counts);
        startDynamo();
        if (selected("startup")) {
            startup();
        }
        if (selected("slots")) {
            slots();
        }
        Proc service = null;
        if (selected("list") || selected("webhook") || selected("pipeline") || selected("burst")) {
            service = startService("service", "svc-" + runId + "-", localCompute());
            service.awaitHealthUp(Duration.ofMinutes(3));
        }
        if (selected("list")) {
            list(service);
        }
        if (selected("webhook")) {
            webhook(service);
        }
        if (selected("pipeline")) {
            pipeline(service);
        }
        if (selected("burst")) {
            burst(service);
        }
        report.json.put("loadAverageAtEnd", loadAverage());
    }

    // ---------------------------------------------------------------- processes and configuration

    private void startDynamo() {
        ddbPort = Proc.freePort();
        Path natives = repo.resolve("target/classes/sqlite4java");
        Proc ddb = Proc.start("dynamodb-local", List.of(java(), "-Xmx1g", "-Dsqlite4java.library.path=" + natives,
                "-cp", repo.resolve("target/edge-hive-cloud.jar") + ":" + repo.resolve("target/local-lib") + "/*",
                "com.amazonaws.services.dynamodbv2.local.main.ServerRunner",
                "-inMemory", "-sharedDb", "-port", String.valueOf(ddbPort), "-disableTelemetry"),
                Map.of("DDB_LOCAL_TELEMETRY", "0"), work, work, 0, 0);
        procs.add(ddb);
        dynamo = DynamoDbClient.builder().region(Region.US_EAST_1).endpointOverride(URI.create("http://127.0.0.1:" + ddbPort))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench")))
                .httpClientBuilder(ApacheHttpClient.builder().maxConnections(128)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            try {
                dynamo.listTables();
                return;
            } catch (RuntimeException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("DynamoDB Local did not start; see " + ddb.log, notYet);
                }
                Proc.sleep(200);
            }
        }
    }

    /** The production settings (ec2, route53, smtp), pointed at DynamoDB Local. */
    private Map<String, String> production(String prefix) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("aws.endpoint", "http://127.0.0.1:" + ddbPort);
        p.put("store.table-prefix", prefix);
        p.put("stripe.webhook-secret", WEBHOOK_SECRET);
        p.put("node.token-secret", "bench-node-token-secret");
        p.put("auth.jwt.secret", JWT_SECRET);
        p.put("route53.hosted-zone-id", "ZBENCH");
        return p;
    }

    /** Compute that is running at once: the local provider, each node a sleep process on a port the fleet answers on. */
    private Map<String, String> localCompute() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("compute.provider", "local");
        p.put("access.provider", "local");
        p.put("access.url-scheme", "http");
        p.put("mail.provider", "outbox");
        p.put("local.data-dir", work.resolve("local").toString());
        p.put("mail.outbox-dir", work.resolve("local/outbox").toString());
        p.put("slots.pool", "bench");
        p.put("slots.base", String.valueOf(SLOT_BASE));
        p.put("local.node-command", "sleep 1800");
        // The local profile's polling (local.properties), not EC2's two-second first wait.
        p.put("compute.poll-delay-ms", "200");
        p.put("compute.poll-max-delay-ms", "1000");
        return p;
    }

    private Proc startService(String name, String prefix, Map<String, String> extra) {
        return startService(name, prefix, extra, List.of(repo.resolve("scripts/run.sh").toString()), Map.of());
    }

    private Proc startService(String name, String prefix, Map<String, String> extra, List<String> command, Map<String, String> env) {
        try {
            Map<String, String> overrides = production(prefix);
            overrides.putAll(extra);
            StringBuilder config = new StringBuilder(Files.readString(repo.resolve("application.properties")));
            config.append("\n# benchmark overrides\n");
            overrides.forEach((k, v) -> config.append(k).append(" = ").append(v).append('\n'));
            Path file = work.resolve(name + ".properties");
            Files.writeString(file, config.toString());
            int port = Proc.freePort();
            int management = Proc.freePort();
            Map<String, String> environment = new HashMap<>(env);
            if (command.get(0).endsWith("run.sh")) {
                environment.put("EDGEHIVE_PROFILE", "cloud"); // run.sh's name for "no overlay"
            }
            environment.put("EDGEHIVE_CONFIG", file.toString());
            environment.put("CAMEL_SERVER_PORT", String.valueOf(port));
            environment.put("CAMEL_MANAGEMENT_PORT", String.valueOf(management));
            environment.put("AWS_ACCESS_KEY_ID", "bench");
            environment.put("AWS_SECRET_ACCESS_KEY", "bench");
            environment.put("AWS_REGION", "us-east-1");
            environment.put("AWS_EC2_METADATA_DISABLED", "true");
            Proc proc = Proc.start(name, command, environment, repo, work, port, management);
            procs.add(proc);
            return proc;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Proc startBareApp() {
        return startBareApp("bare-app", List.of(), Map.of());
    }

    /**
     * The bare app started as scripts/run.sh starts the service: its JVM options, its malloc setting and
     * a class-data archive of its own (recorded by the unmeasured first round), so that the service's
     * start-script settings can be told apart from the service's own cost.
     */
    private Proc startBareAppLikeRunSh() {
        Path archive = work.resolve("bare-app.jsa");
        List<String> options = new ArrayList<>(runShJvmOptions());
        options.add(Files.exists(archive) ? "-XX:SharedArchiveFile=" + archive : "-XX:ArchiveClassesAtExit=" + archive);
        options.addAll(List.of("-Xlog:cds=off", "-Xlog:cds+dynamic=off"));
        return startBareApp("bare-app-like-run-sh", options, Map.of("MALLOC_ARENA_MAX", "2"));
    }

    private Proc startBareApp(String name, List<String> jvmOptions, Map<String, String> env) {
        int port = Proc.freePort();
        int management = Proc.freePort();
        List<String> command = new ArrayList<>(List.of(java()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", repo.resolve("bench/baselines/bare-app/target/bare-app.jar").toString()));
        Map<String, String> environment = new HashMap<>(env);
        environment.put("CAMEL_SERVER_PORT", String.valueOf(port));
        environment.put("CAMEL_MANAGEMENT_PORT", String.valueOf(management));
        Proc proc = Proc.start(name, command, environment, work, work, port, management);
        procs.add(proc);
        return proc;
    }

    /** The JVM options scripts/run.sh sets (its jvm_opts lines), read from the script so the two cannot drift. */
    private List<String> runShJvmOptions() {
        try {
            List<String> options = new ArrayList<>();
            Matcher m = Pattern.compile("(?m)^\\s*jvm_opts=\"(?:\\$jvm_opts )?([^\"$]+)\"").matcher(Files.readString(repo.resolve("scripts/run.sh")));
            while (m.find()) {
                options.addAll(List.of(m.group(1).trim().split("\\s+")));
            }
            if (options.isEmpty()) {
                throw new IllegalStateException("no jvm_opts in scripts/run.sh");
            }
            return options;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Proc startBareWebhook(String table) {
        dynamo.createTable(b -> b.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(k -> k.attributeName("eventId").keyType(KeyType.HASH))
                .attributeDefinitions(a -> a.attributeName("eventId").attributeType(ScalarAttributeType.S)));
        int port = Proc.freePort();
        int management = Proc.freePort();
        Map<String, String> env = new HashMap<>();
        env.put("CAMEL_SERVER_PORT", String.valueOf(port));
        env.put("CAMEL_MANAGEMENT_PORT", String.valueOf(management));
        env.put("AWS_ENDPOINT", "http://127.0.0.1:" + ddbPort);
        env.put("AWS_ACCESS_KEY_ID", "bench");
        env.put("AWS_SECRET_ACCESS_KEY", "bench");
        env.put("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET);
        env.put("BENCH_TABLE", table);
        Proc proc = Proc.start("bare-webhook", List.of(java(), "-jar",
                repo.resolve("bench/baselines/bare-webhook/target/bare-webhook.jar").toString()), env, work, work, port, management);
        procs.add(proc);
        return proc;
    }

    private void stopAll() {
        Collections.reverse(procs);
        for (Proc p : procs) {
            List<ProcessHandle> children = p.process.descendants().toList();
            p.stop();
            children.forEach(ProcessHandle::destroyForcibly);
        }
        procs.clear();
    }

    private void stop(Proc p) {
        List<ProcessHandle> children = p.process.descendants().toList();
        p.stop();
        children.forEach(ProcessHandle::destroyForcibly);
        procs.remove(p);
    }

    // ---------------------------------------------------------------- start-up and memory

    private void startup() {
        System.out.println("== start-up and idle memory");
        String prefix = "start-" + runId + "-";
        long idleMillis = smoke ? 1000 : 5000;
        Latencies bareStart = new Latencies("bare camel-main app");
        Latencies serviceStart = new Latencies("service (scripts/run.sh)");
        Latencies plainStart = new Latencies("service (plain java -jar)");
        List<Double> bareRss = new ArrayList<>();
        List<Double> serviceRss = new ArrayList<>();
        List<Double> plainRss = new ArrayList<>();
        Latencies bareLikeStart = new Latencies("bare app started like scripts/run.sh");
        List<Double> bareLikeRss = new ArrayList<>();
        // Unmeasured first starts: tables created, the start script's class-data archive written, files cached.
        // The archive records the classes its process loaded until it stopped: one left by an earlier run
        // that served a workload holds more than a start needs, so the first start here records it afresh.
        if (!smoke) {
            try {
                Files.deleteIfExists(repo.resolve("target/edge-hive-cloud-cloud.jsa"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        for (int round = smoke ? 0 : -1; round < counts.startRuns(); round++) {
            boolean measured = round >= 0;
            List<Runnable> order = new ArrayList<>();
            order.add(() -> {
                Proc p = startBareApp();
                long ms = p.awaitHealthUp(Duration.ofMinutes(2));
                Proc.sleep(idleMillis);
                if (measured) {
                    bareStart.add(ms);
                    bareRss.add(p.rssMb());
                }
                stop(p);
            });
            order.add(() -> {
                Proc p = startService("service-start", prefix, Map.of());
                long ms = p.awaitHealthUp(Duration.ofMinutes(3));
                Proc.sleep(idleMillis);
                if (measured) {
                    serviceStart.add(ms);
                    serviceRss.add(p.rssMb());
                }
                stop(p);
            });
            if (!smoke) {
                order.add(() -> {
                    Proc p = startBareAppLikeRunSh();
                    long ms = p.awaitHealthUp(Duration.ofMinutes(2));
                    Proc.sleep(idleMillis);
                    if (measured) {
                        bareLikeStart.add(ms);
                        bareLikeRss.add(p.rssMb());
                    }
                    stop(p);
                });
                order.add(() -> {
                    Proc p = startService("service-plain", prefix, Map.of(),
                            List.of(java(), "-jar", repo.resolve("target/edge-hive-cloud.jar").toString()), Map.of());
                    long ms = p.awaitHealthUp(Duration.ofMinutes(3));
                    Proc.sleep(idleMillis);
                    if (measured) {
                        plainStart.add(ms);
                        plainRss.add(p.rssMb());
                    }
                    stop(p);
                });
            }
            if (round % 2 != 0) {
                Collections.reverse(order);
            }
            order.forEach(Runnable::run);
            System.out.printf("  round %d: bare %s ms, service %s ms%n", round, bareStart.count() > 0 ? bareStart.percentile(100) : "-",
                    serviceStart.count() > 0 ? serviceStart.percentile(100) : "-");
        }
        double bareMs = bareStart.percentile(50);
        double serviceMs = serviceStart.percentile(50);
        report.ratio("start-up", "start → health UP (median of " + counts.startRuns() + ")", bareMs / 1000, serviceMs / 1000, "s", 1.3, true);
        report.ratio("start-up", "idle RSS (median)", median(bareRss), median(serviceRss), "MB", 1.3, true);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("bare", Map.of("startMs", bareStart.summary(), "rssMb", bareRss));
        details.put("service", Map.of("startMs", serviceStart.summary(), "rssMb", serviceRss));
        if (plainStart.count() > 0) {
            details.put("servicePlainJavaJar", Map.of("startMs", plainStart.summary(), "rssMb", plainRss));
            report.info("start-up", "without the start script (java -jar): start, RSS",
                    Report.fmt(bareMs / 1000) + " s, " + Report.fmt(median(bareRss)) + " MB",
                    Report.fmt(plainStart.percentile(50) / 1000) + " s, " + Report.fmt(median(plainRss)) + " MB");
        }
        if (bareLikeStart.count() > 0) {
            details.put("bareLikeRunSh", Map.of("startMs", bareLikeStart.summary(), "rssMb", bareLikeRss));
            report.info("start-up", "bare app started like scripts/run.sh (its JVM options, CDS): start, RSS; service ratio",
                    Report.fmt(bareLikeStart.percentile(50) / 1000) + " s, " + Report.fmt(median(bareLikeRss)) + " MB",
                    Report.fmt(serviceMs / bareLikeStart.percentile(50)) + " ×, " + Report.fmt(median(serviceRss) / median(bareLikeRss)) + " ×");
        }
        details.put("idleMillisBeforeRss", idleMillis);
        report.json.put("startup", details);
    }

    // ---------------------------------------------------------------- slot allocation

    private void slots() throws Exception {
        System.out.println("== slot allocation");
        Tables tables = new Tables("slot-" + runId + "-");
        tables.ensure(dynamo);
        Clock clock = Clock.systemUTC();
        NodeStore nodes = new NodeStore(dynamo, tables, clock, "bench", Duration.ofMinutes(30));
        SlotAllocator allocator = new SlotAllocator(dynamo, tables, nodes, "pool-" + runId, 0);
        int claims = counts.slotClaims();
        List<Node> forAllocator = claimedNodes(nodes, "alloc", claims);
        List<Node> forRaw = claimedNodes(nodes, "raw", claims);
        List<Node> forRawTx = claimedNodes(nodes, "rawtx", claims);
        Latencies allocated = new Latencies("SlotAllocator.allocate");
        Latencies raw = new Latencies("raw conditional writes");
        Latencies rawTx = new Latencies("raw transaction");
        Map<String, Long> slotOf = new ConcurrentHashMap<>();
        AtomicLong rawCounter = new AtomicLong();
        String rawPool = "raw-" + runId;
        int halves = 2;
        int per = claims / halves;
        // One unmeasured round of each first: the first loop to run would otherwise pay for warming this
        // JVM's JIT and DynamoDB Local's for the others. Its claims are checked for collisions like the rest.
        int warm = Math.max(10, claims / 10);
        List<Node> warmAllocator = claimedNodes(nodes, "warmalloc", warm);
        List<Node> warmRaw = claimedNodes(nodes, "warmraw", warm);
        List<Node> warmRawTx = claimedNodes(nodes, "warmrawtx", warm);
        for (int h = -1; h < halves; h++) {
            boolean warming = h < 0;
            List<Node> a = warming ? warmAllocator : forAllocator.subList(h * per, h == halves - 1 ? claims : (h + 1) * per);
            List<Node> r = warming ? warmRaw : forRaw.subList(h * per, h == halves - 1 ? claims : (h + 1) * per);
            Latencies allocatedHere = warming ? new Latencies("warm-up") : allocated;
            Latencies rawHere = warming ? new Latencies("warm-up") : raw;
            Latencies rawTxHere = warming ? new Latencies("warm-up") : rawTx;
            Runnable allocatorRound = () -> timed(allocatedHere, a.size(), counts.slotThreads(), i -> () -> {
                Node node = allocator.allocate(a.get(i));
                slotOf.put(node.nodeId(), (long) node.slot());
            });
            // The least a claim must write: the slot (conditional on being free) and the node's state
            // (conditional on its version), as two plain conditional writes with no transaction and no search.
            List<Node> t = warming ? warmRawTx : forRawTx.subList(h * per, h == halves - 1 ? claims : (h + 1) * per);
            // The floor of an atomic claim: the same two writes as one transaction, slot numbers from memory.
            Runnable rawTxRound = () -> timed(rawTxHere, t.size(), counts.slotThreads(), i -> () -> {
                Node node = t.get(i);
                long slot = rawCounter.getAndIncrement();
                var put = software.amazon.awssdk.services.dynamodb.model.Put.builder().tableName(tables.slots())
                        .item(Map.of("pool", AttributeValue.fromS(rawPool), "slot", AttributeValue.fromN(Long.toString(slot)),
                                "owner", AttributeValue.fromS(node.nodeId())))
                        .conditionExpression("attribute_not_exists(#slot)").expressionAttributeNames(Map.of("#slot", "slot")).build();
                var u = nodes.transition(node, NodeState.ALLOCATED, Map.of("slot", AttributeValue.fromN(Long.toString(slot))), null);
                dynamo.transactWriteItems(b -> b.transactItems(
                        software.amazon.awssdk.services.dynamodb.model.TransactWriteItem.builder().put(put).build(),
                        software.amazon.awssdk.services.dynamodb.model.TransactWriteItem.builder().update(u).build()));
            });
            Runnable rawRound = () -> timed(rawHere, r.size(), counts.slotThreads(), i -> () -> {
                Node node = r.get(i);
                long slot = rawCounter.getAndIncrement();
                dynamo.putItem(b -> b.tableName(tables.slots()).item(Map.of("pool", AttributeValue.fromS(rawPool),
                                "slot", AttributeValue.fromN(Long.toString(slot)), "owner", AttributeValue.fromS(node.nodeId())))
                        .conditionExpression("attribute_not_exists(#slot)").expressionAttributeNames(Map.of("#slot", "slot")));
                var u = nodes.transition(node, NodeState.ALLOCATED, Map.of("slot", AttributeValue.fromN(Long.toString(slot))), null);
                dynamo.updateItem(b -> b.tableName(u.tableName()).key(u.key()).updateExpression(u.updateExpression())
                        .conditionExpression(u.conditionExpression()).expressionAttributeNames(u.expressionAttributeNames())
                        .expressionAttributeValues(u.expressionAttributeValues()));
            });
            if (h % 2 != 1) {
                allocatorRound.run();
                rawRound.run();
                rawTxRound.run();
            } else {
                rawTxRound.run();
                rawRound.run();
                allocatorRound.run();
            }
        }
        long distinct = slotOf.values().stream().distinct().count();
        long collisions = slotOf.size() - distinct;
        // Cross-check in the table: every claimed slot names exactly the node that believes it holds it.
        long mismatched = slotOf.entrySet().stream().filter(e -> !e.getKey().equals(allocator.holder(e.getValue().intValue()))).count();
        report.absolute("slot allocation", claims + " claims, " + counts.slotThreads() + " threads: collisions", collisions + mismatched, "", 0, true);
        report.ratio("slot allocation", "claims per second vs raw conditional-write loop", raw.rate(), allocated.rate(), "/s", 0.8, false);
        report.ratio("slot allocation", "claims per second vs raw transaction loop (same two writes, atomic)", rawTx.rate(),
                allocated.rate(), "/s", 0.8, false);
        report.panels.put("Slot claim latency (" + counts.slotThreads() + " threads)", List.of(raw, rawTx, allocated));
        report.json.put("slots", Map.of("allocator", allocated.summary(), "raw", raw.summary(), "rawTransaction", rawTx.summary(),
                "claimed", slotOf.size(),
                "distinctSlots", distinct, "tableMismatches", mismatched));
    }

    private List<Node> claimedNodes(NodeStore nodes, String kind, int count) throws Exception {
        List<Node> result = Collections.synchronizedList(new ArrayList<>());
        timed(new Latencies("setup"), count, 16, i -> () -> {
            String id = "bench-" + kind + "-" + runId + "-" + i;
            nodes.create(new NodeRequest(id, "user-" + kind + "-" + i, "u@bench.example", "pro", "us-east-1", "t4g.small", 10,
                    "cs_" + id, "cus_" + i, "sub_" + i));
            result.add(nodes.claim(id));
        });
        return new ArrayList<>(result);
    }

    // ---------------------------------------------------------------- list scaling

    private void list(Proc small) throws Exception {
        System.out.println("== list scaling");
        // Full runs put the large table behind a second service and interleave the two; a smoke run grows
        // the one table between its two measurements instead (one service start less).
        String bigPrefix = smoke ? "svc-" + runId + "-" : "big-" + runId + "-";
        Proc big = smoke ? small : startService("service-big", bigPrefix, localCompute());
        big.awaitHealthUp(Duration.ofMinutes(3));
        String user = "bench-list-user";
        String smallPrefix = "svc-" + runId + "-";
        for (String prefix : new LinkedHashSet<>(List.of(smallPrefix, bigPrefix))) {
            Tables tables = new Tables(prefix);
            NodeStore nodes = new NodeStore(dynamo, tables, Clock.systemUTC(), "bench", Duration.ofMinutes(5));
            for (int i = 0; i < 10; i++) {
                String id = "bench-list-" + i;
                nodes.create(new NodeRequest(id, user, "u@bench.example", "pro", "us-east-1", "t4g.small", 10,
                        "cs_bench_list_" + i, "cus_list", "sub_list"));
                // READY, so the service's reconciler leaves them alone (a REQUESTED node is work it would resume).
                dynamo.updateItem(b -> b.tableName(tables.nodes()).key(Map.of("nodeId", AttributeValue.fromS(id)))
                        .updateExpression("SET #state = :ready").expressionAttributeNames(Map.of("#state", "state"))
                        .expressionAttributeValues(Map.of(":ready", AttributeValue.fromS("READY"))));
            }
        }
        long seedStart = System.nanoTime();
        seed(new Tables(smallPrefix).nodes(), 0, counts.listSmall() - 10);
        if (!smoke) {
            seed(new Tables(bigPrefix).nodes(), 0, counts.listLarge() - 10);
        }
        double seedSeconds = (System.nanoTime() - seedStart) / 1e9;
        String token = token(user);
        Latencies smallL = new Latencies(counts.listSmall() + " nodes in the table");
        Latencies bigL = new Latencies(counts.listLarge() + " nodes in the table");
        int rounds = smoke ? 1 : 4;
        int per = counts.listRequests() / rounds;
        for (Proc p : new LinkedHashSet<>(List.of(small, big))) {
            get(p, token, new Latencies("warm-up"), per);
        }
        if (smoke) {
            get(small, token, smallL, per);
            seed(new Tables(smallPrefix).nodes(), counts.listSmall() - 10, counts.listLarge() - 10);
            get(small, token, bigL, per);
        }
        for (int round = 0; round < (smoke ? 0 : rounds); round++) {
            if (round % 2 == 0) {
                get(small, token, smallL, per);
                get(big, token, bigL, per);
            } else {
                get(big, token, bigL, per);
                get(small, token, smallL, per);
            }
        }
        if (big != small) {
            stop(big);
        }
        report.ratio("list scaling", "GET /api/v1/nodes (10 nodes) p50, " + counts.listSmall() + " → " + counts.listLarge() + " in table",
                smallL.percentile(50), bigL.percentile(50), "ms", 1.2, true);
        report.panels.put("GET /api/v1/nodes for a user with 10 nodes", List.of(smallL, bigL));
        report.json.put("list", Map.of("small", smallL.summary(), "large", bigL.summary(), "seedSeconds", seedSeconds));
    }

    private void get(Proc service, String token, Latencies into, int requests) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(service.url("/api/v1/nodes"))).header("Authorization", "Bearer " + token)
                .GET().build();
        timed(into, requests, 4, i -> () -> {
            HttpResponse<String> answer = Proc.HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 200 || !answer.body().contains("bench-list-9")) {
                throw new IllegalStateException("list answered " + answer.statusCode() + ": " + answer.body());
            }
        });
    }

    /** Other users' nodes (ten each), as items of the same shape the store writes. */
    private void seed(String table, int first, int count) throws Exception {
        Map<String, AttributeValue> template = dynamo.getItem(b -> b.tableName(table)
                .key(Map.of("nodeId", AttributeValue.fromS("bench-list-0"))).consistentRead(true)).item();
        int batches = (count - first + 24) / 25;
        timed(new Latencies("seed"), batches, 8, b -> () -> {
            List<WriteRequest> writes = new ArrayList<>();
            for (int i = first + b * 25; i < Math.min(count, first + (b + 1) * 25); i++) {
                Map<String, AttributeValue> item = new HashMap<>(template);
                item.put("nodeId", AttributeValue.fromS("filler-" + i));
                item.put("userId", AttributeValue.fromS("filler-user-" + (i / 10)));
                writes.add(WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build());
            }
            Map<String, List<WriteRequest>> pending = Map.of(table, writes);
            while (!pending.isEmpty() && !pending.getOrDefault(table, List.of()).isEmpty()) {
                Map<String, List<WriteRequest>> unprocessed = dynamo.batchWriteItem(r -> r.requestItems(Map.of(table, writes))).unprocessedItems();
                pending = unprocessed;
            }
        });
    }

    // ---------------------------------------------------------------- webhook acknowledgement

    private void webhook(Proc service) throws Exception {
        System.out.println("== webhook acknowledgement");
        Proc bare = startBareWebhook("bare-events-" + runId);
        bare.awaitHealthUp(Duration.ofMinutes(2));
        Latencies bareL = new Latencies("bare route (verify + PutItem)");
        Latencies serviceL = new Latencies("service");
        int warmUp = smoke ? 20 : 300;
        post(bare, events("warm-bare", warmUp), new Latencies("warm-up"));
        post(service, events("warm-svc", warmUp), new Latencies("warm-up"));
        int per = counts.webhookEvents() / counts.webhookRounds();
        for (int round = 0; round < counts.webhookRounds(); round++) {
            List<byte[]> forBare = events("bare-" + round, per);
            List<byte[]> forService = events("svc-" + round, per);
            if (round % 2 == 0) {
                post(bare, forBare, bareL);
                post(service, forService, serviceL);
            } else {
                post(service, forService, serviceL);
                post(bare, forBare, bareL);
            }
            System.out.printf("  round %d: bare p99 %.1f ms %.0f/s, service p99 %.1f ms %.0f/s%n", round, bareL.percentile(99), bareL.rate(),
                    serviceL.percentile(99), serviceL.rate());
        }
        stop(bare);
        report.ratio("webhook ack", counts.clients() + " clients, " + counts.webhookEvents() + " events: p99", bareL.percentile(99),
                serviceL.percentile(99), "ms", 1.25, true);
        report.ratio("webhook ack", "acknowledged per second", bareL.rate(), serviceL.rate(), "/s", 0.8, false);
        report.panels.put("Webhook acknowledgement (" + counts.clients() + " concurrent clients)", List.of(bareL, serviceL));
        report.json.put("webhook", Map.of("bare", bareL.summary(), "service", serviceL.summary()));
    }

    /** Distinct, validly signed events of a type the service acknowledges and has no work for. */
    private List<byte[]> events(String tag, int count) {
        List<byte[]> bodies = new ArrayList<>();
        long now = Instant.now().getEpochSecond();
        for (int i = 0; i < count; i++) {
            bodies.add(("{\"id\":\"evt_bench_" + runId + "_" + tag + "_" + i + "\",\"object\":\"event\",\"api_version\":\"2025-03-31.basil\","
                    + "\"created\":" + now + ",\"livemode\":false,\"type\":\"charge.succeeded\",\"data\":{\"object\":{\"id\":\"ch_bench_" + i
                    + "\",\"object\":\"charge\",\"amount\":2500,\"currency\":\"usd\",\"status\":\"succeeded\"}}}").getBytes(StandardCharsets.UTF_8));
        }
        return bodies;
    }

    private void post(Proc target, List<byte[]> bodies, Latencies into) {
        URI uri = URI.create(target.url("/api/v1/stripe/webhook"));
        timed(into, bodies.size(), counts.clients(), i -> () -> {
            byte[] body = bodies.get(i);
            HttpRequest request = HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                    .header("Stripe-Signature", sign(body)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            HttpResponse<String> answer = Proc.HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() / 100 != 2) {
                throw new IllegalStateException(target.name + " answered " + answer.statusCode() + ": " + answer.body());
            }
        });
    }

    // ---------------------------------------------------------------- pipeline and burst

    private void pipeline(Proc service) throws Exception {
        System.out.println("== pipeline overhead");
        Proc fleet = fleet();
        // A round first, not counted: alone (--only=pipeline) the service has served nothing yet, and a
        // cold JVM's first purchases measure the JIT, not the pipeline (in a full run the webhook
        // benchmark has warmed it). Its figure is reported beside the counted one.
        Purchases cold = purchase(service, "pipewarm", counts.pipelinePurchases(), counts.pipelinePurchases());
        report.info("pipeline", "first round (not counted; cold JVM when run alone): p50 / p99", "—",
                Report.fmt(cold.ready.percentile(50) / 1000) + " s / " + Report.fmt(cold.ready.percentile(99) / 1000) + " s");
        Map<String, Double> before = routeTimes(service);
        Purchases run = purchase(service, "pipe", counts.pipelinePurchases(), counts.pipelinePurchases());
        Map<String, Double> after = routeTimes(service);
        stop(fleet);
        Latencies total = run.ready;
        report.absolute("pipeline", counts.pipelinePurchases() + " concurrent purchases, webhook → READY + email: p50", total.percentile(50) / 1000,
                "s", 0.5, true);
        report.absolute("pipeline", "p99", total.percentile(99) / 1000, "s", 2, true);
        Map<String, Object> routes = routeDeltas(before, after);
        report.notes.add("Pipeline per step (mean ms, route metrics): " + routes);
        report.notes.add("Pipeline per state change (mean ms, node history): " + run.steps());
        report.panels.put("Purchase → READY with email (" + counts.pipelinePurchases() + " at once)", List.of(total));
        report.json.put("pipeline", Map.of("ready", total.summary(), "routeMeanMs", routes, "stateStepMeanMs", run.steps(),
                "emails", run.emails, "failed", run.failed));
    }

    private void burst(Proc service) throws Exception {
        System.out.println("== burst");
        Proc fleet = fleet();
        Map<String, Double> before = routeTimes(service);
        long start = System.nanoTime();
        Purchases run = purchase(service, "burst", counts.burstPurchases(), counts.clients());
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Double> after = routeTimes(service);
        stop(fleet);
        Map<String, Object> routes = routeDeltas(before, after);
        report.info("burst", counts.burstPurchases() + " purchases: all READY after, time per purchase", "—",
                Report.fmt(seconds) + " s, " + Report.fmt(seconds * 1000 / counts.burstPurchases()) + " ms");
        report.info("burst", "webhook → READY p50 / p99", "—", Report.fmt(run.ready.percentile(50) / 1000) + " s / "
                + Report.fmt(run.ready.percentile(99) / 1000) + " s");
        report.notes.add("Burst per step (mean ms, route metrics): " + routes);
        report.notes.add("Burst per state change (mean ms, node history; queue waits included): " + run.steps());
        report.panels.put("Burst: " + counts.burstPurchases() + " purchases, webhook → READY", List.of(run.ready));
        report.json.put("burst", Map.of("seconds", seconds, "ack", run.ack.summary(), "ready", run.ready.summary(), "routeMeanMs", routes,
                "stateStepMeanMs", run.steps(), "emails", run.emails, "failed", run.failed));
    }

    private Proc fleet() {
        int size = counts.burstPurchases() + counts.pipelinePurchases() + 200;
        Proc fleet = Proc.start("node-fleet", List.of("python3", repo.resolve("bench/node-fleet.py").toString(),
                String.valueOf(SLOT_BASE), String.valueOf(size)), Map.of(), work, work, 0, 0);
        procs.add(fleet);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (Files.readString(fleet.log).contains("listening")) {
                    return fleet;
                }
            } catch (IOException e) {
                // not yet
            }
            Proc.sleep(50);
        }
        throw new IllegalStateException("node fleet did not start: " + fleet.log);
    }

    final class Purchases {
        final Latencies ack = new Latencies("ack");
        final Latencies ready = new Latencies("webhook → READY");
        final Map<String, List<Double>> stepMillis = new LinkedHashMap<>();
        int emails;
        int failed;

        Map<String, Double> steps() {
            Map<String, Double> means = new LinkedHashMap<>();
            stepMillis.forEach((step, values) -> means.put(step, Latencies.round(values.stream().mapToDouble(Double::doubleValue).average().orElse(0))));
            return means;
        }
    }

    private Purchases purchase(Proc service, String tag, int count, int clients) throws Exception {
        Purchases result = new Purchases();
        String table = new Tables("svc-" + runId + "-").nodes();
        Map<String, Instant> posted = new ConcurrentHashMap<>();
        URI uri = URI.create(service.url("/api/v1/stripe/webhook"));
        timed(result.ack, count, clients, i -> () -> {
            String session = "cs_bench_" + runId + "_" + tag + "_" + i;
            byte[] body = checkoutCompleted("evt_bench_" + runId + "_" + tag + "_" + i, session, "user-" + tag + "-" + i).getBytes(StandardCharsets.UTF_8);
            HttpRequest request = HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                    .header("Stripe-Signature", sign(body)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            posted.put(NodeIds.forPurchase(session, 0), Instant.now());
            HttpResponse<String> answer = Proc.HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() / 100 != 2) {
                throw new IllegalStateException("webhook answered " + answer.statusCode() + ": " + answer.body());
            }
        });
        Set<String> waiting = new HashSet<>(posted.keySet());
        long deadline = System.nanoTime() + Duration.ofMinutes(smoke ? 2 : 20).toNanos();
        while (!waiting.isEmpty() && System.nanoTime() < deadline) {
            List<String> ids = new ArrayList<>(waiting);
            for (int from = 0; from < ids.size(); from += 100) {
                List<Map<String, AttributeValue>> keys = ids.subList(from, Math.min(ids.size(), from + 100)).stream()
                        .map(id -> Map.of("nodeId", AttributeValue.fromS(id))).toList();
                List<Map<String, AttributeValue>> items = dynamo.batchGetItem(b -> b.requestItems(Map.of(table,
                        KeysAndAttributes.builder().keys(keys).consistentRead(true).build()))).responses().getOrDefault(table, List.of());
                for (Map<String, AttributeValue> item : items) {
                    String state = item.get("state").s();
                    String id = item.get("nodeId").s();
                    if (state.equals("READY") || state.equals("FAILED")) {
                        waiting.remove(id);
                        if (state.equals("FAILED")) {
                            result.failed++;
                            continue;
                        }
                        record(result, posted.get(id), item);
                    }
                }
            }
            if (!waiting.isEmpty()) {
                // The latencies come from the nodes' own history (READY's timestamp), not from when this
                // loop sees them: polling more often would add load on the DynamoDB Local under test, not precision.
                Proc.sleep(count > 100 ? 500 : 250);
            }
        }
        if (!waiting.isEmpty()) {
            throw new IllegalStateException(waiting.size() + " purchases never reached READY");
        }
        try (var files = Files.list(work.resolve("local/outbox"))) {
            result.emails = (int) files.count();
        } catch (IOException e) {
            result.emails = -1;
        }
        return result;
    }

    private static void record(Purchases result, Instant posted, Map<String, AttributeValue> item) {
        Instant previous = posted;
        String previousState = "webhook";
        Instant readyAt = null;
        for (AttributeValue entry : item.get("history").l()) {
            Map<String, AttributeValue> h = entry.m();
            String state = h.get("state").s();
            Instant at = Instant.parse(h.get("at").s());
            result.stepMillis.computeIfAbsent(previousState + "→" + state, k -> Collections.synchronizedList(new ArrayList<>()))
                    .add(Duration.between(previous, at).toNanos() / 1e6);
            previous = at;
            previousState = state;
            if (state.equals("READY")) {
                readyAt = at;
            }
        }
        result.ready.add(Duration.between(posted, readyAt).toNanos() / 1e6);
    }

    private static final Pattern ROUTE_METRIC = Pattern.compile("^(\\w+)_seconds_(sum|count)\\{[^}]*routeId=\"([^\"]+)\"[^}]*\\} ([0-9.eE+-]+)");

    /** Sum and count of each route's processing time, from the Prometheus scrape. */
    private Map<String, Double> routeTimes(Proc service) throws Exception {
        String body = Proc.HTTP.send(HttpRequest.newBuilder(URI.create(service.managementUrl("/observe/metrics"))).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Double> values = new HashMap<>();
        for (String line : body.split("\n")) {
            Matcher m = ROUTE_METRIC.matcher(line);
            if (m.find() && m.group(1).contains("route_policy")) {
                values.merge(m.group(3) + "|" + m.group(2), Double.parseDouble(m.group(4)), Double::sum);
            }
        }
        return values;
    }

    private static Map<String, Object> routeDeltas(Map<String, Double> before, Map<String, Double> after) {
        Map<String, Object> means = new LinkedHashMap<>();
        for (String route : List.of("stripe-webhook", "stripe-events", "checkout-completed", "node-work", "allocate-slot", "launch-node",
                "await-running", "publish-access", "after-access", "notify-user")) {
            double count = after.getOrDefault(route + "|count", 0.0) - before.getOrDefault(route + "|count", 0.0);
            double sum = after.getOrDefault(route + "|sum", 0.0) - before.getOrDefault(route + "|sum", 0.0);
            if (count > 0) {
                means.put(route, Latencies.round(sum / count * 1000));
            }
        }
        return means;
    }

    private static String checkoutCompleted(String eventId, String sessionId, String userId) {
        return ("{\"id\":\"%s\",\"object\":\"event\",\"api_version\":\"2025-03-31.basil\",\"created\":%d,\"livemode\":false,"
                + "\"type\":\"checkout.session.completed\",\"data\":{\"object\":{\"id\":\"%s\",\"object\":\"checkout.session\","
                + "\"mode\":\"subscription\",\"payment_status\":\"paid\",\"status\":\"complete\",\"client_reference_id\":\"%s\","
                + "\"customer\":\"cus_%s\",\"subscription\":\"sub_%s\",\"customer_details\":{\"email\":\"%s@bench.example\",\"name\":\"Bench\"},"
                + "\"metadata\":{\"plan\":\"pro\"}}}}").formatted(eventId, Instant.now().getEpochSecond(), sessionId, userId, userId, userId, userId);
    }

    // ---------------------------------------------------------------- helpers

    interface Task {
        void run() throws Exception;
    }

    /** Runs count tasks on the given number of threads, timing each; the wall time makes the rate. */
    private static void timed(Latencies into, int count, int threads, IntFunction<Task> task) {
        AtomicInteger next = new AtomicInteger();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                    long began = System.nanoTime();
                    try {
                        task.apply(i).run();
                        into.add((System.nanoTime() - began) / 1e6);
                    } catch (Exception | Error e) {
                        into.error();
                        failures.add(e);
                    }
                }
            }));
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        into.wall((System.nanoTime() - start) / 1e9);
        pool.shutdown();
        if (!failures.isEmpty()) {
            throw new IllegalStateException(failures.size() + " of " + count + " failed; first: " + failures.get(0), failures.get(0));
        }
    }

    static String sign(byte[] body) {
        try {
            long timestamp = Instant.now().getEpochSecond();
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(WEBHOOK_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return "t=" + timestamp + ",v1=" + java.util.HexFormat.of().formatHex(mac.doFinal(body));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String token(String userId) {
        try {
            JWTClaimsSet claims = new JWTClaimsSet.Builder().subject(userId).issuer("https://app.example.com").audience("edge-hive-cloud")
                    .issueTime(new java.util.Date()).expirationTime(java.util.Date.from(Instant.now().plusSeconds(840)))
                    .claim("roles", List.of()).build();
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
            jwt.sign(new MACSigner(JWT_SECRET.getBytes(StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (com.nimbusds.jose.JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.isEmpty() ? Double.NaN : sorted.get((sorted.size() - 1) / 2);
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "n/a";
        }
    }
}
