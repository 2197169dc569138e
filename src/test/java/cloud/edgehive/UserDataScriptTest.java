package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import cloud.edgehive.auth.NodeTokens;
import cloud.edgehive.compute.UserData;
import cloud.edgehive.store.Node;

/**
 * cloud/user-data.sh, rendered by {@link UserData} as the service renders it, run twice against
 * stand-ins for the commands a node has (curl, edge-hive, systemctl, cloudflared) that only record
 * their calls: the first run installs, initialises and starts everything, and with a tunnel installs
 * the pinned cloudflared and fetches this node's tunnel token with its node token; the second run
 * changes nothing but restarts. The tunnel token is in neither the user-data nor any command line.
 */
class UserDataScriptTest {

    private static final String TUNNEL_TOKEN = "eyJhIjoiYWNjIiwidCI6InR1bm5lbCIsInMiOiJzZWNyZXQifQ==";
    private static final NodeTokens TOKENS = new NodeTokens("user-data-test-secret");
    private static final Node NODE = cloud.edgehive.access.TestNodes.node("cs_test_boot-0", null);

    @TempDir
    Path dir;

    @Test
    void firstBootInstallsFetchesItsOwnTunnelTokenAndASecondRunOnlyRestarts() throws Exception {
        String userData = render("cloudflare");
        assertFalse(userData.contains(TUNNEL_TOKEN), "no tunnel token in user-data");
        assertFalse(userData.toLowerCase().contains("tunnel_token='"), userData);
        Path script = write(userData);
        run(script);
        List<String> first = calls();
        String nodeToken = TOKENS.tokenOf("cs_test_boot-0");
        assertEquals(1, count(first, "curl --proto =https --tlsv1.2 -fsSL --retry 5 --retry-delay 5 https://edge-hive.io/install.sh"), first.toString());
        assertEquals(1, count(first, "edge-hive init --cloud-token " + nodeToken), first.toString());
        assertEquals(1, count(first, "curl --proto =https --tlsv1.2 -fsSL --retry 5 --retry-delay 5 -o " + dir.resolve("bin/cloudflared.download")
                + " https://github.com/cloudflare/cloudflared/releases/download/2025.10.1/cloudflared-linux-"), first.toString());
        assertEquals(1, count(first, "curl -fsS --retry 90"), first.toString());
        assertTrue(first.stream().anyMatch(c -> c.endsWith("https://cloud.test.example/node-agent/v1/nodes/cs_test_boot-0/tunnel-token")),
                first.toString());
        assertEquals("Authorization: Bearer " + nodeToken + "\n", Files.readString(dir.resolve("state/token-request-headers")),
                "the node token went on stdin");
        assertTrue(first.stream().noneMatch(c -> c.contains(nodeToken) && c.startsWith("curl")), "no node token on curl's command line");
        assertTrue(first.stream().noneMatch(c -> c.contains(TUNNEL_TOKEN)), "no tunnel token on any command line: " + first);
        assertEquals(1, exact(first, "systemctl restart edge-hive"), first.toString());
        assertEquals(1, count(first, "systemctl enable edge-hive-cloudflared"), first.toString());
        assertEquals(1, count(first, "systemctl restart edge-hive-cloudflared"), first.toString());

        String env = Files.readString(dir.resolve("etc/node.env"));
        assertTrue(env.contains("EDGE_HIVE_NODE_ID=cs_test_boot-0") && env.contains("EDGE_HIVE_CLOUD_TOKEN=" + nodeToken), env);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("etc/node.env"))));
        assertEquals("TUNNEL_TOKEN=" + TUNNEL_TOKEN + "\n", Files.readString(dir.resolve("etc/cloudflared.env")));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("etc/cloudflared.env"))));
        String unit = Files.readString(dir.resolve("units/edge-hive-cloudflared.service"));
        assertTrue(unit.contains("EnvironmentFile=" + dir.resolve("etc/cloudflared.env")), unit);
        assertTrue(unit.contains("ExecStart=" + dir.resolve("bin/cloudflared") + " --no-autoupdate tunnel run\n"), unit);
        assertFalse(unit.contains(TUNNEL_TOKEN), unit);

        Files.delete(dir.resolve("calls.log"));
        run(script);
        List<String> second = calls();
        assertEquals(0, count(second, "curl "), second.toString());
        assertEquals(0, count(second, "edge-hive init"), second.toString());
        assertEquals(1, exact(second, "systemctl restart edge-hive"), second.toString());
        assertEquals(1, count(second, "systemctl restart edge-hive-cloudflared"), second.toString());
    }

    @Test
    void withoutATunnelNoCloudflared() throws Exception {
        run(write(render("")));
        List<String> calls = calls();
        assertEquals(0, calls.stream().filter(c -> c.contains("cloudflared")).count(), calls.toString());
        assertEquals(1, exact(calls, "systemctl restart edge-hive"), calls.toString());
    }

    @Test
    void noTokenFromTheServiceFailsTheBootLoudly() throws Exception {
        Path script = write(render("cloudflare"));
        Files.writeString(dir.resolve("state/answer"), "{\"type\":\"about:blank\",\"status\":503}");
        ProcessBuilder builder = process(script);
        Process process = builder.start();
        process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(1, process.exitValue());
        assertFalse(Files.exists(dir.resolve("etc/cloudflared.env")));
    }

    @Test
    void aCloudflaredWhoseChecksumDiffersIsNeitherInstalledNorRun() throws Exception {
        String wrong = "0".repeat(64);
        Path script = write(render("cloudflare", wrong));
        Process process = process(script).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(1, process.exitValue(), output);
        assertTrue(output.contains("does not match its pinned SHA-256"), output);
        assertFalse(Files.exists(dir.resolve("bin/cloudflared")), "not installed");
        assertFalse(Files.exists(dir.resolve("bin/cloudflared.download")), "the download is deleted");
        List<String> calls = calls();
        assertEquals(0, count(calls, "cloudflared "), "never run: " + calls);
        assertEquals(0, count(calls, "systemctl enable edge-hive-cloudflared"), calls.toString());
        assertEquals(0, count(calls, "curl -fsS --retry 90"), "no token fetched: " + calls);
    }

    @Test
    void aTunnelWithoutPinnedChecksumsIsRefused() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new UserData.Options(
                "https://edge-hive.io/install.sh", "https://cloud.test.example", "cloudflare", "2025.10.1", "", "abc"));
        assertTrue(refused.getMessage().contains("cloudflare.cloudflared-sha256-arm64"), refused.getMessage());
        new UserData.Options("https://edge-hive.io/install.sh", "https://cloud.test.example", "", "", "", "");
    }

    private String render(String tunnel) throws Exception {
        return render(tunnel, sha256(releaseBinary()));
    }

    /** Rendered with {@code sha256} pinned for both architectures. */
    private String render(String tunnel, String sha256) throws Exception {
        return new UserData(Path.of("cloud/user-data.sh"), TOKENS, new UserData.Options("https://edge-hive.io/install.sh",
                "https://cloud.test.example", tunnel, "2025.10.1", sha256, sha256)).render(NODE);
    }

    /** The release the curl stand-in serves: a recording cloudflared that knows its version. */
    private Path releaseBinary() throws Exception {
        Path release = Files.createDirectories(dir.resolve("release")).resolve("cloudflared");
        Files.writeString(release, "#!/bin/sh\necho \"cloudflared $*\" >> '" + dir.resolve("calls.log") + "'\n"
                + "[ \"$1\" = \"--version\" ] && echo \"cloudflared version 2025.10.1 (built 2025-10-01)\"\nexit 0\n");
        return release;
    }

    private static String sha256(Path file) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    private Path write(String rendered) throws Exception {
        Path script = dir.resolve("user-data.sh");
        Files.writeString(script, rendered);
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.createDirectories(dir.resolve("units"));
        Path state = Files.createDirectories(dir.resolve("state"));
        if (!Files.exists(state.resolve("answer"))) {
            Files.writeString(state.resolve("answer"), "{\"nodeId\":\"cs_test_boot-0\",\"tunnelToken\":\"" + TUNNEL_TOKEN + "\"}");
        }
        String log = dir.resolve("calls.log").toString();
        // Each stand-in records its command line. curl serves the installer (which installs a
        // recording edge-hive), the cloudflared release (releaseBinary()) and the service's
        // tunnel-token answer (keeping the headers it read from stdin).
        stub(bin, "curl", """
                echo "curl $*" >> 'LOG'
                case "$*" in
                  *install.sh*) printf '%s\\n' "cat > 'BIN/edge-hive' <<'S'" '#!/bin/sh' "echo \\"edge-hive \\$*\\" >> 'LOG'" 'S' "chmod +x 'BIN/edge-hive'" ;;
                  *releases/download*)
                    out=""; prev=""
                    for a in "$@"; do [ "$prev" = "-o" ] && out="$a"; prev="$a"; done
                    cp 'RELEASE' "$out" ;;
                  *tunnel-token*) cat > 'STATE/token-request-headers'; cat 'STATE/answer' ;;
                esac
                """.replace("LOG", log).replace("BIN", bin.toString()).replace("STATE", state.toString())
                .replace("RELEASE", releaseBinary().toString()));
        stub(bin, "systemctl", "echo \"systemctl $*\" >> '" + log + "'\n");
        stub(bin, "systemd-cat", "cat\n");
        return script;
    }

    private static void stub(Path bin, String name, String body) throws Exception {
        Path file = bin.resolve(name);
        Files.writeString(file, "#!/bin/sh\n" + body);
        file.toFile().setExecutable(true);
    }

    private ProcessBuilder process(Path script) {
        ProcessBuilder builder = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true);
        builder.environment().put("PATH", dir.resolve("bin") + ":/usr/bin:/bin");
        builder.environment().put("EDGE_HIVE_ETC", dir.resolve("etc").toString());
        builder.environment().put("EDGE_HIVE_BIN", dir.resolve("bin").toString());
        builder.environment().put("EDGE_HIVE_UNITS", dir.resolve("units").toString());
        return builder;
    }

    private void run(Path script) throws Exception {
        Process process = process(script).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), output + "\ncalls: " + calls());
    }

    private List<String> calls() throws Exception {
        Path log = dir.resolve("calls.log");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    private static long exact(List<String> calls, String line) {
        return calls.stream().filter(line::equals).count();
    }

    private static long count(List<String> calls, String prefix) {
        return calls.stream().filter(c -> c.startsWith(prefix)).count();
    }
}
