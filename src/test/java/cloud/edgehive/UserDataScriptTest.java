package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.samskivert.mustache.Mustache;

/**
 * cloud/user-data.sh, rendered as the service renders it, run twice against stand-ins for the
 * commands a node has (curl, edge-hive, systemctl, dnf, cloudflared) that only record their calls:
 * the first run installs, initialises and starts everything; the second changes nothing but restarts.
 */
class UserDataScriptTest {

    @TempDir
    Path dir;

    @Test
    void firstBootInstallsAndStartsAndASecondRunOnlyRestarts() throws Exception {
        Path script = render("tunnel-token-123");
        run(script);
        List<String> first = calls();
        assertEquals(1, count(first, "curl "), first.toString());
        assertEquals(1, count(first, "edge-hive init --cloud-token ehn_test"), first.toString());
        assertEquals(1, count(first, "dnf install -y https://github.com/cloudflare/cloudflared/"), first.toString());
        assertEquals(1, count(first, "cloudflared service install tunnel-token-123"), first.toString());
        assertEquals(1, count(first, "systemctl restart edge-hive"), first.toString());
        assertEquals(1, count(first, "systemctl restart cloudflared"), first.toString());
        String env = Files.readString(dir.resolve("etc/node.env"));
        assertTrue(env.contains("EDGE_HIVE_NODE_ID=cs_test_boot-0") && env.contains("EDGE_HIVE_CLOUD_TOKEN=ehn_test"), env);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("etc/node.env"))));

        Files.delete(dir.resolve("calls.log"));
        run(script);
        List<String> second = calls();
        assertEquals(0, count(second, "curl "), second.toString());
        assertEquals(0, count(second, "edge-hive init"), second.toString());
        assertEquals(0, count(second, "dnf "), second.toString());
        assertEquals(0, count(second, "cloudflared service install"), second.toString());
        assertEquals(1, count(second, "systemctl restart edge-hive"), second.toString());
        assertEquals(1, count(second, "systemctl restart cloudflared"), second.toString());
    }

    @Test
    void withoutATunnelTokenNoCloudflared() throws Exception {
        run(render(""));
        List<String> calls = calls();
        assertEquals(0, count(calls, "cloudflared"), calls.toString());
        assertEquals(1, count(calls, "systemctl restart edge-hive"), calls.toString());
    }

    private Path render(String tunnelToken) throws Exception {
        String template = Files.readString(Path.of("cloud/user-data.sh"));
        String rendered = Mustache.compiler().escapeHTML(false).compile(template).execute(Map.of(
                "nodeId", "cs_test_boot-0", "hostLabel", "node-0123456789", "nodeToken", "ehn_test",
                "installUrl", "https://edge-hive.io/install.sh", "tunnelToken", tunnelToken));
        Path script = dir.resolve("user-data.sh");
        Files.writeString(script, rendered);
        Path bin = Files.createDirectories(dir.resolve("bin"));
        String log = dir.resolve("calls.log").toString();
        String state = Files.createDirectories(dir.resolve("state")).toString();
        // Each stand-in records its command line; installing creates the installed command.
        stub(bin, "curl", "echo \"cat > '" + bin + "/edge-hive' <<'S'\n#!/bin/sh\necho \\\"edge-hive \\$*\\\" >> '" + log
                + "'\nS\nchmod +x '" + bin + "/edge-hive'\"", log);
        stub(bin, "dnf", "printf '#!/bin/sh\\necho \"cloudflared $*\" >> \"" + log + "\"\\n"
                + "[ \"$1 $2\" = \"service install\" ] && touch \"" + state + "/cloudflared-enabled\"\\nexit 0\\n' > '" + bin
                + "/cloudflared'; chmod +x '" + bin + "/cloudflared'", log);
        stub(bin, "systemctl", "if [ \"$1\" = is-enabled ]; then [ -f '" + state + "/cloudflared-enabled' ]; exit $?; fi", log);
        stub(bin, "systemd-cat", "cat >/dev/null", null);
        return script;
    }

    private static void stub(Path bin, String name, String body, String log) throws Exception {
        Path file = bin.resolve(name);
        String record = log == null ? "" : "echo \"" + name + " $*\" >> '" + log + "'\n";
        Files.writeString(file, "#!/bin/sh\n" + record + body + "\n");
        file.toFile().setExecutable(true);
    }

    private void run(Path script) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true);
        builder.environment().put("PATH", dir.resolve("bin") + ":/usr/bin:/bin");
        builder.environment().put("EDGE_HIVE_ETC", dir.resolve("etc").toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), output + "\ncalls: " + calls());
    }

    private List<String> calls() throws Exception {
        Path log = dir.resolve("calls.log");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    private static long count(List<String> calls, String prefix) {
        return calls.stream().filter(c -> c.startsWith(prefix)).count();
    }
}
