package cloud.edgehive.contract;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import cloud.edgehive.compute.InstanceStatus;
import cloud.edgehive.compute.LocalCompute;
import cloud.edgehive.harness.Emulators;
import cloud.edgehive.harness.RunningService;
import jakarta.mail.Session;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import jakarta.mail.internet.MimeMessage;

/** Local mode: processes on this machine, http://localhost:<port>, .eml files in the outbox. */
final class LocalLocalOutbox implements World {

    private final Path data;
    /** DynamoDB Local's port, fixed so the test can read the nodes and a restarted service finds it there again. */
    private final int dynamoPort = Emulators.freePort();

    LocalLocalOutbox() {
        try {
            data = Files.createTempDirectory("edgehive-contract-local");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String name() {
        return "local+local+outbox";
    }

    @Override
    public String profile() {
        return "local";
    }

    @Override
    public Map<String, String> config() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("compute.provider", "local");
        config.put("access.provider", "local");
        config.put("mail.provider", "outbox");
        config.put("local.data-dir", data.toString());
        config.put("local.dynamodb.port", String.valueOf(dynamoPort));
        config.put("slots.base", String.valueOf(Emulators.freePortRange(32)));
        config.put("stripe.webhook-secret", RunningService.WEBHOOK_SECRET);
        config.put("retry.max-redeliveries", "3");
        config.put("retry.delay-ms", "50");
        config.put("retry.max-delay-ms", "200");
        config.put("camel.main.shutdownTimeout", "5");
        return config;
    }

    @Override
    public int liveResources(String nodeId) {
        return (int) processes().managed().stream()
                .filter(r -> nodeId.equals(r.nodeId()) && r.phase() != InstanceStatus.Phase.GONE).count();
    }

    private LocalCompute processes() {
        return new LocalCompute(data.resolve("nodes"), null, slot -> slot);
    }

    @Override
    public int namesPerNode() {
        return 0;
    }

    /**
     * DynamoDB Local, its files in the data folder (so they outlive the process that ran it), on the
     * port this world fixed; reachable while a service of this world runs.
     */
    @Override
    public DynamoDbClient store() {
        return DynamoDbClient.builder().endpointOverride(URI.create("http://127.0.0.1:" + dynamoPort)).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"))).build();
    }

    /** Each .eml file (one per send, named by time and Message-ID) as its Message-ID. */
    @Override
    public List<String> deliveryIds(String to) {
        List<String> ids = new ArrayList<>();
        for (Path file : outboxFiles()) {
            try (InputStream in = Files.newInputStream(file)) {
                MimeMessage mail = new MimeMessage(Session.getInstance(new Properties()), in);
                if (mail.getAllRecipients()[0].toString().equals(to)) {
                    ids.add(mail.getMessageID());
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return ids;
    }

    private List<Path> outboxFiles() {
        Path outbox = data.resolve("outbox");
        if (!Files.isDirectory(outbox)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(outbox)) {
            return files.filter(f -> f.toString().endsWith(".eml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public int publishedNames(String nodeId) {
        return 0;
    }

    @Override
    public List<String> mailsTo(String to) {
        Path outbox = data.resolve("outbox");
        List<String> bodies = new ArrayList<>();
        if (!Files.isDirectory(outbox)) {
            return bodies;
        }
        try (Stream<Path> files = Files.list(outbox)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".eml")).toList()) {
                try (InputStream in = Files.newInputStream(file)) {
                    MimeMessage mail = new MimeMessage(Session.getInstance(new Properties()), in);
                    if (mail.getAllRecipients()[0].toString().equals(to)) {
                        java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
                        mail.writeTo(raw);
                        bodies.add(raw.toString(java.nio.charset.StandardCharsets.UTF_8));
                    }
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return bodies;
    }

    /** Node processes outlive a killed service (they are its children, not its threads): none outlives the world. */
    @Override
    public void close() {
        LocalCompute processes = processes();
        processes.managed().forEach(processes::terminateResource);
        try (Stream<Path> all = Files.walk(data)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
