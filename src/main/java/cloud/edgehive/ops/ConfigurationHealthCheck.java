package cloud.edgehive.ops;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness: what the chosen providers need at run time is there (start-up already refuses missing
 * secrets): the email templates, the user-data template, and a writable outbox. Operators edit these
 * files while the service runs, so they are checked on every call.
 */
public class ConfigurationHealthCheck extends AbstractHealthCheck {


    private final List<Path> readable;
    private final List<Path> writable;
    private final Map<String, String> providers;

    public ConfigurationHealthCheck(List<Path> readable, List<Path> writable, Map<String, String> providers) {
        super("edgehive", "configuration");
        this.readable = readable;
        this.writable = writable;
        this.providers = providers;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        List<String> problems = new ArrayList<>();
        for (Path file : readable) {
            if (!Files.isReadable(file)) {
                problems.add("cannot read " + file);
            }
        }
        for (Path dir : writable) {
            Path existing = dir;
            while (existing != null && !Files.exists(existing)) {
                existing = existing.toAbsolutePath().getParent();
            }
            if (existing == null || !Files.isWritable(existing)) {
                problems.add("cannot write " + dir);
            }
        }
        providers.forEach(builder::detail);
        if (problems.isEmpty()) {
            builder.up();
        } else {
            builder.message(String.join("; ", problems)).down();
        }
    }
}
