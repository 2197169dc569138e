package cloud.edgehive.compute;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.Template;

import cloud.edgehive.store.Node;

/**
 * Renders {@code cloud/user-data.sh} for one node. The node token is an HMAC of the node id, so it
 * is never stored: the service can recompute it to check a node's calls, and a leaked table leaks none.
 */
public class UserData {

    private final Path templateFile;
    private final Template template;
    private final String installUrl;
    private final byte[] tokenSecret;
    private final String tunnelToken;

    public UserData(Path templateFile, String installUrl, String tokenSecret, String tunnelToken) {
        this.templateFile = templateFile;
        try {
            this.template = Mustache.compiler().escapeHTML(false).strictSections(false)
                    .compile(Files.readString(templateFile, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read user-data template " + templateFile, e);
        }
        this.installUrl = installUrl;
        this.tokenSecret = tokenSecret.getBytes(StandardCharsets.UTF_8);
        this.tunnelToken = tunnelToken == null ? "" : tunnelToken;
    }

    /** The template file operators edit (readiness checks it stays readable). */
    public Path templateFile() {
        return templateFile;
    }

    public String render(Node node) {
        return template.execute(Map.of(
                "nodeId", node.nodeId(),
                "hostLabel", node.hostLabel(),
                "nodeToken", nodeToken(node.nodeId()),
                "installUrl", installUrl,
                "tunnelToken", tunnelToken,
                "port", node.slot() == null ? "" : String.valueOf(node.slot())));
    }

    public String nodeToken(String nodeId) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(tokenSecret, "HmacSHA256"));
            return "ehn_" + java.util.HexFormat.of().formatHex(mac.doFinal(nodeId.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
