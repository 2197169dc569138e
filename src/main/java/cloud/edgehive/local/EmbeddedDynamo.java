package cloud.edgehive.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;

/**
 * DynamoDB Local running inside this process for local mode: a real DynamoDB API on a loopback port,
 * its data in a folder so a restart keeps every node. The AWS client talks to it over HTTP exactly as
 * it talks to AWS, so local mode runs the same store code as production.
 */
public final class EmbeddedDynamo implements org.apache.camel.Service {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDynamo.class);
    private static final String NATIVE_PROPERTY = "sqlite4java.library.path";
    private static final List<String> NATIVES = List.of(
            "libsqlite4java-linux-amd64.so", "libsqlite4java-linux-i386.so", "libsqlite4java-osx.dylib",
            "sqlite4java-win32-x64.dll");

    private final DynamoDBProxyServer server;
    private final URI endpoint;

    private EmbeddedDynamo(DynamoDBProxyServer server, URI endpoint) {
        this.server = server;
        this.endpoint = endpoint;
    }

    /** Starts DynamoDB Local with its data in {@code dataDir}; port 0 picks a free loopback port. */
    public static EmbeddedDynamo start(Path dataDir, int port) {
        if (EmbeddedDynamo.class.getClassLoader().getResource("com/amazonaws/services/dynamodbv2/local/main/ServerRunner.class") == null) {
            // Production never loads it, so the service jar leaves it out (see pom.xml, local-mode-libraries).
            throw new IllegalStateException("local.dynamodb.enabled is true, but DynamoDB Local is not on the class path: it is not"
                    + " in the service jar. Start local mode with scripts/run.sh, or put target/local-lib/ on the class path:"
                    + " java -cp 'target/edge-hive-cloud.jar:target/local-lib/*' cloud.edgehive.EdgeHive");
        }
        try {
            Files.createDirectories(dataDir);
            if (System.getProperty(NATIVE_PROPERTY) == null) {
                System.setProperty(NATIVE_PROPERTY, extractNatives(dataDir.resolve("native")).toString());
            }
            int chosen = port > 0 ? port : freePort();
            long started = System.nanoTime();
            DynamoDBProxyServer server = ServerRunner.createServerFromCommandLineArgs(new String[] {
                    "-port", String.valueOf(chosen), "-dbPath", dataDir.toString(), "-sharedDb", "-disableTelemetry"});
            listenOnLoopbackOnly(server);
            server.start();
            URI endpoint = URI.create("http://127.0.0.1:" + chosen);
            LOG.info("DynamoDB Local started at {} with data in {} ({} ms)", endpoint, dataDir,
                    (System.nanoTime() - started) / 1_000_000);
            return new EmbeddedDynamo(server, endpoint);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare DynamoDB Local in " + dataDir, e);
        } catch (Exception e) {
            throw new IllegalStateException("DynamoDB Local did not start: " + e.getMessage(), e);
        }
    }

    public URI endpoint() {
        return endpoint;
    }

    @Override
    public void start() {
        // Started by start(Path, int), before the service's beans are wired.
    }

    @Override
    public void stop() {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("DynamoDB Local did not stop cleanly: {}", e.getMessage());
        }
    }

    /**
     * DynamoDB Local's Jetty listens on every interface and offers no option for it; local mode's data
     * should be reachable from this machine only, so its connectors are bound to the loopback address
     * before start. Should a later DynamoDB Local change its internals, it still starts (with a warning).
     */
    private static void listenOnLoopbackOnly(DynamoDBProxyServer proxy) {
        try {
            java.lang.reflect.Field field = DynamoDBProxyServer.class.getDeclaredField("server");
            field.setAccessible(true);
            for (org.eclipse.jetty.server.Connector connector : ((org.eclipse.jetty.server.Server) field.get(proxy)).getConnectors()) {
                if (connector instanceof org.eclipse.jetty.server.ServerConnector network) {
                    network.setHost("127.0.0.1");
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("DynamoDB Local listens on every interface: could not bind it to loopback ({})", e.toString());
        }
    }

    /** sqlite4java loads its native library from a folder, not from the jar: copy them out once. */
    private static Path extractNatives(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (String name : NATIVES) {
            try (InputStream in = EmbeddedDynamo.class.getResourceAsStream("/sqlite4java/" + name)) {
                if (in == null) {
                    continue;
                }
                Path target = dir.resolve(name);
                Path temp = Files.createTempFile(dir, name, ".part");
                Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        }
        return dir.toAbsolutePath();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
