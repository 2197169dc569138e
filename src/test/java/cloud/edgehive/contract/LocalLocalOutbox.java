package cloud.edgehive.contract;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
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
import jakarta.mail.internet.MimeMessage;

/** Local mode: processes on this machine, http://localhost:<port>, .eml files in the outbox. */
final class LocalLocalOutbox implements World {

    private final Path data;

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
        return (int) new LocalCompute(data.resolve("nodes"), null, slot -> slot).managed().stream()
                .filter(r -> nodeId.equals(r.nodeId()) && r.phase() != InstanceStatus.Phase.GONE).count();
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

    @Override
    public void close() {
        try (Stream<Path> all = Files.walk(data)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
