package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
import cloud.edgehive.store.LeaseLost;
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
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

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

    /**
     * A claim is the slot's write, then the node's: a claim whose node never recorded it (the process
     * died between the two, simulated by writing the slot's item alone) is given back by
     * releaseUnrecorded once its node has moved on, never while the node may still record it; a claim
     * that lost its race for the node is given back at once.
     */
    @Test
    void claimsNoNodeRecordedAreReleasedAndReused() {
        SlotAllocator sweep = new SlotAllocator(DYNAMO, TABLES, nodes, "pool-sweep", 0);
        Node crashed = requestedNode("sweep-crashed");
        heldWithoutRecord("pool-sweep", 500, crashed.nodeId());
        heldWithoutRecord("pool-sweep", 501, "sweep-no-such-node");

        assertEquals(List.of(501L), sweep.releaseUnrecorded(), "the node in REQUESTED may still record slot 500");
        assertEquals(crashed.nodeId(), sweep.holder(500));

        Node resumed = sweep.allocate(crashed);
        assertEquals(NodeState.ALLOCATED, resumed.state());
        assertEquals(501, resumed.slot(), "the released slot is reused");
        assertEquals(List.of(500L), sweep.releaseUnrecorded(), "the node moved on with another slot");
        assertNull(sweep.holder(500));
        assertEquals(resumed.nodeId(), sweep.holder(resumed.slot()), "the recorded claim stays");

        Node requested = requestedNode("sweep-raced");
        Node winner = sweep.allocate(requested);
        assertEquals(500, winner.slot(), "the released slot is reused");
        assertThrows(LeaseLost.class, () -> sweep.allocate(requested), "a stale copy of the node loses the race");
        assertEquals(List.of(), sweep.releaseUnrecorded(), "the losing claim was given back at once");
        assertEquals(winner.nodeId(), sweep.holder(winner.slot()));

        // The pool's first fresh number went to the losing claim and came back: the next node gets it.
        Node next = sweep.allocate(requestedNode("sweep-next"));
        assertEquals(0, next.slot());
        assertEquals(0, sweep.releaseUnrecorded().size());
    }

    private static void heldWithoutRecord(String pool, long slot, String owner) {
        DYNAMO.putItem(b -> b.tableName(TABLES.slots()).item(java.util.Map.of("pool", AttributeValue.fromS(pool),
                "slot", AttributeValue.fromN(Long.toString(slot)), "owner", AttributeValue.fromS(owner))));
    }

    private static Node requestedNode(String id) {
        nodes.create(new NodeRequest(id, "user-slots", "s@example.com", "pro", "us-east-1", "t4g.small", 10, "cs", null, null));
        return nodes.claim(id);
    }
}
