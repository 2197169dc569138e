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

import cloud.edgehive.store.Node;

/**
 * Renders the emails a node's owner receives, from {@code templates/<kind>.html} and
 * {@code templates/<kind>.txt}; the text template's first line {@code Subject: ...} is the subject.
 * Operators edit the files, not Java.
 */
public class NodeMail {

    private final Path templates;
    private final String from;
    private final String domain;
    private final Map<String, Template> compiled = new ConcurrentHashMap<>();
    private volatile String dashboard = "";

    public NodeMail(Path templates, String from) {
        this.templates = templates;
        this.from = from;
        this.domain = from.contains("@") ? from.substring(from.indexOf('@') + 1).replace(">", "") : "edgehive.local";
    }

    /**
     * Where the dashboard is (web.base-url), so every email links to the node's own page there
     * ({@code {{dashboardUrl}}} in the templates). Set once by the web wiring.
     */
    public void linkDashboard(String baseUrl) {
        this.dashboard = baseUrl;
    }

    public MailMessage render(Node node, String kind) {
        return render(node, kind, Map.of());
    }

    /** As {@link #render(Node, String)}, with values only this kind of email needs (e.g. a deadline). */
    public MailMessage render(Node node, String kind, Map<String, ?> extra) {
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
        values.put("dashboardUrl", dashboard + "/app/nodes/" + node.nodeId());
        values.putAll(extra);
        String text = template(kind + ".txt", false).execute(values);
        String subject = "Edge Hive: " + kind;
        if (text.startsWith("Subject:")) {
            int end = text.indexOf('\n');
            subject = text.substring("Subject:".length(), end < 0 ? text.length() : end).trim();
            text = end < 0 ? "" : text.substring(end + 1).stripLeading();
        }
        return new MailMessage(node.email(), from, subject,
                template(kind + ".html", true).execute(values), text,
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
