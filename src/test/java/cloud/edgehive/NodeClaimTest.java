package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import cloud.edgehive.local.EmbeddedDynamo;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeRequest;
import cloud.edgehive.store.NodeStore;
import cloud.edgehive.store.Tables;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * A node's work lease is held by one worker at a time, also among the threads of one replica (which
 * share an owner id): the checkout hand-off and the reconciler finding the same fresh node must not
 * both provision it. Runs on DynamoDB Local, as local mode does.
 */
class NodeClaimTest {

    @TempDir
    static Path data;

    private static EmbeddedDynamo dynamoLocal;
    private static NodeStore nodes;

    @BeforeAll
    static void start() {
        dynamoLocal = EmbeddedDynamo.start(data.resolve("dynamodb"), 0);
        DynamoDbClient dynamo = DynamoDbClient.builder().endpointOverride(dynamoLocal.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"))).build();
        Tables tables = new Tables("claims-");
        tables.ensure(dynamo);
        nodes = new NodeStore(dynamo, tables, Clock.systemUTC(), "one-replica", Duration.ofMinutes(5));
    }

    @AfterAll
    static void stop() {
        dynamoLocal.stop();
    }

    @Test
    void dynamoDbLocalListensOnLoopbackOnly() throws Exception {
        Path tcp = Path.of("/proc/net/tcp");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isReadable(tcp), "Linux only");
        String port = String.format("%04X", dynamoLocal.endpoint().getPort());
        List<String> listening = new ArrayList<>();
        for (Path table : List.of(tcp, Path.of("/proc/net/tcp6"))) {
            if (java.nio.file.Files.isReadable(table)) {
                java.nio.file.Files.readAllLines(table).stream().skip(1).map(l -> l.trim().split("\\s+"))
                        .filter(f -> f[1].endsWith(":" + port) && f[3].equals("0A")).forEach(f -> listening.add(f[1]));
            }
        }
        assertEquals(1, listening.size(), "one listening socket: " + listening);
        // 127.0.0.1 as IPv4, or as the IPv4-mapped IPv6 address ::ffff:127.0.0.1; never 0.0.0.0 or ::
        assertEquals(List.of(":" + port), listening.stream().map(a -> a.replaceFirst("^(0000000000000000FFFF0000)?0100007F", "")).toList(),
                "bound to loopback: " + listening);
    }

    @Test
    void aLiveLeaseIsNotClaimedAgainByTheSameReplica() {
        String id = create("cs_claim_once-0");
        Node first = nodes.claim(id);
        assertNotNull(first);
        assertNull(nodes.claim(id), "a second thread of the same replica does not get the node");
        nodes.release(first);
        assertNotNull(nodes.claim(id), "released, it can be claimed again");
    }

    @Test
    void concurrentClaimsOfOneNodeHaveOneWinner() throws Exception {
        String id = create("cs_claim_race-0");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Node>> claims = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            claims.add(pool.submit(() -> nodes.claim(id)));
        }
        int winners = 0;
        for (Future<Node> claim : claims) {
            winners += claim.get() == null ? 0 : 1;
        }
        pool.shutdown();
        assertEquals(1, winners);
    }

    private static String create(String id) {
        nodes.create(new NodeRequest(id, "user-claims", "claims@example.com", "pro", "us-east-1", "t4g.small", 10,
                id.substring(0, id.length() - 2), null, null));
        return id;
    }
}
