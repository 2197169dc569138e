package cloud.edgehive.compute;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

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
     * @param cloudflaredSha256Arm64 the SHA-256 of that release's linux-arm64 binary (required with a tunnel)
     * @param cloudflaredSha256Amd64 the same for linux-amd64
     */
    public record Options(String installUrl, String cloudUrl, String tunnel, String cloudflaredVersion,
                          String cloudflaredSha256Arm64, String cloudflaredSha256Amd64) {

        private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

        public Options {
            if (tunnel != null && !tunnel.isEmpty()) {
                requireSha256("cloudflare.cloudflared-sha256-arm64", cloudflaredSha256Arm64);
                requireSha256("cloudflare.cloudflared-sha256-amd64", cloudflaredSha256Amd64);
            }
        }

        private static void requireSha256(String property, String value) {
            if (value == null || !SHA256.matcher(value).matches()) {
                throw new IllegalArgumentException(property + " must be the SHA-256 (64 lower-case hex digits) of the pinned"
                        + " cloudflared release's binary, copied from its release page: nodes verify the download against it");
            }
        }
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
        values.put("cloudflaredSha256Arm64", nullToEmpty(options.cloudflaredSha256Arm64()));
        values.put("cloudflaredSha256Amd64", nullToEmpty(options.cloudflaredSha256Amd64()));
        values.put("port", node.slot() == null ? "" : String.valueOf(node.slot()));
        return template.execute(values);
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }
}
