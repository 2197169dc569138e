package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;

import cloud.edgehive.local.EmbeddedDynamo;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeRequest;
import cloud.edgehive.store.NodeState;
import cloud.edgehive.store.NodeStore;
import cloud.edgehive.store.SlotAllocator;
import cloud.edgehive.store.Tables;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Slot claims: concurrent claims never collide; released slots are reused. Against DynamoDB Local,
 * not moto: moto's TransactWriteItems restores whole tables from a snapshot when a transaction fails,
 * undoing other requests' writes made meanwhile, so it cannot judge concurrent transactions.
 */
class SlotAllocatorTest {

    @TempDir
    static Path data;

    private static final Tables TABLES = new Tables("slots-test-");
    private static EmbeddedDynamo dynamoLocal;
    private static DynamoDbClient DYNAMO;
    private static NodeStore nodes;
    private static SlotAllocator slots;

    @BeforeAll
    static void tables() {
        dynamoLocal = EmbeddedDynamo.start(data.resolve("dynamodb"), 0);
        DYNAMO = DynamoDbClient.builder().endpointOverride(dynamoLocal.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClientBuilder(software.amazon.awssdk.http.apache.ApacheHttpClient.builder().maxConnections(64)).build();
        TABLES.ensure(DYNAMO);
        nodes = new NodeStore(DYNAMO, TABLES, Clock.systemUTC(), "slot-test-worker", Duration.ofMinutes(5));
        slots = new SlotAllocator(DYNAMO, TABLES, nodes, "pool-a", 3000);
    }

    @AfterAll
    static void stop() {
        dynamoLocal.stop();
    }

    @Test
    void concurrentClaimsGetDistinctSlotsAndReleasedSlotsAreReused() throws Exception {
        int count = 200;
        List<Node> requested = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            requested.add(requestedNode("slot-node-" + i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(32);
        List<Future<Node>> claims = new ArrayList<>();
        for (Node node : requested) {
            claims.add(pool.submit(() -> slots.allocate(node)));
        }
        Set<Integer> taken = new HashSet<>();
        for (Future<Node> claim : claims) {
            Node allocated = claim.get();
            assertEquals(NodeState.ALLOCATED, allocated.state());
            assertNotNull(allocated.slot());
            assertEquals(allocated.nodeId(), slots.holder(allocated.slot()), "the slot table agrees with the node");
            taken.add(allocated.slot());
        }
        pool.shutdown();
        assertEquals(count, taken.size(), "every claim got its own slot");

        Node leaving = nodes.get("slot-node-17");
        slots.release(leaving);
        slots.release(leaving);
        assertNull(slots.holder(leaving.slot()));
        Node newcomer = slots.allocate(requestedNode("slot-node-new"));
        assertEquals(leaving.slot(), newcomer.slot(), "the released slot is reused");
        assertEquals(3000 + newcomer.slot(), slots.portOf(newcomer.slot()));
    }

    @Test
    void aNodeAlreadyAllocatedKeepsItsSlot() {
        Node node = slots.allocate(requestedNode("slot-node-once"));
        Node again = slots.allocate(node);
        assertEquals(node.slot(), again.slot());
    }

    private static Node requestedNode(String id) {
        nodes.create(new NodeRequest(id, "user-slots", "s@example.com", "pro", "us-east-1", "t4g.small", 10, "cs", null, null));
        return nodes.claim(id);
    }
}
