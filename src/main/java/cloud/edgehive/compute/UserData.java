package cloud.edgehive.compute;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.Template;

import cloud.edgehive.auth.NodeTokens;
import cloud.edgehive.store.Node;

/**
 * Renders {@code cloud/user-data.sh} for one node. It holds the node's own token (an HMAC of its id,
 * {@link NodeTokens}) and nothing shared by two nodes: a node with a Cloudflare Tunnel fetches its
 * tunnel's token from this service after boot, with that node token.
 */
public class UserData {

    /**
     * @param cloudUrl           where nodes reach this service (the node-agent endpoints)
     * @param tunnel             "cloudflare" when nodes run cloudflared, else empty
     * @param cloudflaredVersion the cloudflared release nodes install (pinned)
     */
    public record Options(String installUrl, String cloudUrl, String tunnel, String cloudflaredVersion) {
    }

    private final Path templateFile;
    private final Template template;
    private final NodeTokens tokens;
    private final Options options;

    public UserData(Path templateFile, NodeTokens tokens, Options options) {
        this.templateFile = templateFile;
        try {
            this.template = Mustache.compiler().escapeHTML(false).strictSections(false)
                    .compile(Files.readString(templateFile, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read user-data template " + templateFile, e);
        }
        this.tokens = tokens;
        this.options = options;
    }

    /** The template file operators edit (readiness checks it stays readable). */
    public Path templateFile() {
        return templateFile;
    }

    public String render(Node node) {
        Map<String, String> values = new HashMap<>();
        values.put("nodeId", node.nodeId());
        values.put("hostLabel", node.hostLabel());
        values.put("nodeToken", tokens.tokenOf(node.nodeId()));
        values.put("installUrl", options.installUrl());
        values.put("cloudUrl", options.cloudUrl() == null ? "" : options.cloudUrl());
        values.put("tunnel", options.tunnel() == null ? "" : options.tunnel());
        values.put("cloudflaredVersion", options.cloudflaredVersion() == null ? "" : options.cloudflaredVersion());
        values.put("port", node.slot() == null ? "" : String.valueOf(node.slot()));
        return template.execute(values);
    }
}
