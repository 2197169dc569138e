package cloud.edgehive.store;

import static cloud.edgehive.store.Items.n;
import static cloud.edgehive.store.Items.s;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * Slots (a port on a shared host, or simply a node number) per pool. A claim and the node's move to
 * ALLOCATED are one DynamoDB transaction: a slot is never held by two nodes, and a node never holds
 * a slot it has not recorded, so a crash between the two cannot leak one. Released slots are reused,
 * lowest first; new ones come from an atomic counter.
 */
public class SlotAllocator {

    /** The per-pool counter lives at this sort key, below every real slot. */
    private static final long COUNTER = -1;
    private static final int MAX_ATTEMPTS = 64;

    private final DynamoDbClient dynamo;
    private final String table;
    private final NodeStore nodes;
    private final String pool;
    private final int base;

    public SlotAllocator(DynamoDbClient dynamo, Tables tables, NodeStore nodes, String pool, int base) {
        this.dynamo = dynamo;
        this.table = tables.slots();
        this.nodes = nodes;
        this.pool = pool;
        this.base = base;
    }

    /** The port (or node number) a slot stands for. */
    public int portOf(int slot) {
        return base + slot;
    }

    /** Claims a slot for a REQUESTED node and moves it to ALLOCATED, in one transaction. */
    public Node allocate(Node node) {
        if (node.state() != NodeState.REQUESTED) {
            return node;
        }
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Long reusable = freeSlot();
            long slot = reusable != null ? reusable : mint();
            TransactWriteItem claim = reusable != null ? reuse(slot, node) : fresh(slot, node);
            TransactWriteItem advance = TransactWriteItem.builder().update(nodes.transition(node, NodeState.ALLOCATED,
                    Map.of("pool", s(pool), "slot", n(slot)), "slot " + slot + " in pool " + pool)).build();
            try {
                dynamo.transactWriteItems(b -> b.transactItems(claim, advance));
                return nodes.written(nodes.get(node.nodeId()));
            } catch (TransactionCanceledException cancelled) {
                List<CancellationReason> reasons = cancelled.cancellationReasons();
                boolean nodeRaced = reasons.size() > 1 && "ConditionalCheckFailed".equals(reasons.get(1).code());
                if (nodeRaced) {
                    if (reusable == null) {
                        giveBack(slot);
                    }
                    throw new LeaseLost(node.nodeId());
                }
                // The slot went to someone else between our read and our write: try another.
            }
        }
        throw new IllegalStateException("No slot could be claimed in pool " + pool + " after " + MAX_ATTEMPTS + " attempts");
    }

    /** Frees the node's slot for reuse. Idempotent: a slot the node no longer holds is left alone. */
    public void release(Node node) {
        if (node.slot() == null) {
            return;
        }
        String nodePool = node.pool() == null ? pool : node.pool();
        try {
            dynamo.updateItem(b -> b.tableName(table).key(slotKey(nodePool, node.slot()))
                    .updateExpression("SET freeIn = :pool REMOVE #owner")
                    .conditionExpression("#owner = :node")
                    .expressionAttributeNames(Map.of("#owner", "owner"))
                    .expressionAttributeValues(Map.of(":pool", s(nodePool), ":node", s(node.nodeId()))));
        } catch (ConditionalCheckFailedException alreadyFree) {
            // Released before, by an earlier attempt of the same clean-up.
        }
    }

    /** The node holding a slot, or null when it is free or was never minted. */
    public String holder(int slot) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).key(slotKey(pool, slot)).consistentRead(true)).item();
        return item == null ? null : Items.text(item, "owner");
    }

    private Long freeSlot() {
        List<Map<String, AttributeValue>> free = dynamo.query(b -> b.tableName(table).indexName(Tables.SLOTS_FREE)
                .keyConditionExpression("freeIn = :pool")
                .expressionAttributeValues(Map.of(":pool", s(pool)))
                .limit(8)).items();
        if (free.isEmpty()) {
            return null;
        }
        // Concurrent claimers spread over the lowest few free slots instead of all racing for one.
        return Items.number(free.get(ThreadLocalRandom.current().nextInt(free.size())), "slot");
    }

    private long mint() {
        Map<String, AttributeValue> counter = dynamo.updateItem(b -> b.tableName(table).key(slotKey(pool, COUNTER))
                .updateExpression("ADD #next :one")
                .expressionAttributeNames(Map.of("#next", "next"))
                .expressionAttributeValues(Map.of(":one", n(1)))
                .returnValues(ReturnValue.UPDATED_NEW)).attributes();
        return Items.number(counter, "next", 1) - 1;
    }

    private TransactWriteItem reuse(long slot, Node node) {
        return TransactWriteItem.builder().update(Update.builder().tableName(table).key(slotKey(pool, slot))
                .updateExpression("SET #owner = :node REMOVE freeIn")
                .conditionExpression("freeIn = :pool")
                .expressionAttributeNames(Map.of("#owner", "owner"))
                .expressionAttributeValues(Map.of(":node", s(node.nodeId()), ":pool", s(pool)))
                .build()).build();
    }

    private TransactWriteItem fresh(long slot, Node node) {
        return TransactWriteItem.builder().put(Put.builder().tableName(table)
                .item(Map.of("pool", s(pool), "slot", n(slot), "owner", s(node.nodeId())))
                .conditionExpression("attribute_not_exists(#slot)")
                .expressionAttributeNames(Map.of("#slot", "slot"))
                .build()).build();
    }

    /** A minted slot whose claim lost its race goes on the free list instead of becoming a gap. */
    private void giveBack(long slot) {
        try {
            dynamo.putItem(b -> b.tableName(table).item(Map.of("pool", s(pool), "slot", n(slot), "freeIn", s(pool)))
                    .conditionExpression("attribute_not_exists(#slot)")
                    .expressionAttributeNames(Map.of("#slot", "slot")));
        } catch (ConditionalCheckFailedException exists) {
            // Someone recorded it meanwhile; it is accounted for.
        }
    }

    private static Map<String, AttributeValue> slotKey(String pool, long slot) {
        return Map.of("pool", s(pool), "slot", n(slot));
    }
}
