package cloud.edgehive.mail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.Template;

import cloud.edgehive.Settings;
import cloud.edgehive.store.Node;

/**
 * Renders the emails a node's owner receives, from {@code templates/<kind>.html} and
 * {@code templates/<kind>.txt}; the subject is {@code mail.subject.<kind>}. Operators edit the
 * files, not Java.
 */
public class NodeMail {

    private final Path templates;
    private final String from;
    private final String domain;
    private final Settings settings;
    private final Map<String, Template> compiled = new ConcurrentHashMap<>();

    public NodeMail(Path templates, String from, Settings settings) {
        this.templates = templates;
        this.from = from;
        this.domain = from.contains("@") ? from.substring(from.indexOf('@') + 1).replace(">", "") : "edgehive.local";
        this.settings = settings;
    }

    public MailMessage render(Node node, String kind) {
        if (node.email() == null || node.email().isEmpty()) {
            throw new IllegalArgumentException("Node " + node.nodeId() + " has no email address to notify");
        }
        Map<String, Object> values = new HashMap<>();
        values.put("nodeId", node.nodeId());
        values.put("hostLabel", node.hostLabel());
        values.put("url", node.url() == null ? "" : node.url());
        values.put("plan", node.plan());
        values.put("region", node.region());
        values.put("instanceType", node.instanceType());
        values.put("storageGb", node.storageGb());
        values.put("state", node.state().name());
        values.put("reason", node.lastError() == null ? "" : node.lastError());
        String subject = Mustache.compiler().escapeHTML(false)
                .compile(settings.text("mail.subject." + kind, "Edge Hive: " + kind)).execute(values);
        return new MailMessage(node.email(), from, subject,
                template(kind + ".html", true).execute(values),
                template(kind + ".txt", false).execute(values),
                "<" + kind + "." + node.hostLabel() + "@" + domain + ">");
    }

    private Template template(String file, boolean html) {
        return compiled.computeIfAbsent(file, f -> {
            try {
                return Mustache.compiler().escapeHTML(html).compile(Files.readString(templates.resolve(f), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read mail template " + templates.resolve(f), e);
            }
        });
    }
}
