package cloud.edgehive.store;

import static cloud.edgehive.store.Items.n;
import static cloud.edgehive.store.Items.s;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
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
 *
 * <p>The claim itself is that one transaction and nothing else on the common path: new numbers are
 * reserved from the counter a block at a time (a crash can leave at most a block's worth unused, never
 * given twice), the free list is read once for several claims and not re-read for a moment after it was
 * found empty (a release here refills it at once), and the allocated node is the transaction's own
 * result rather than a second read.
 */
public class SlotAllocator {

    /** The per-pool counter lives at this sort key, below every real slot. */
    private static final long COUNTER = -1;
    private static final int MAX_ATTEMPTS = 64;
    /**
     * New slot numbers reserved per counter update. Claimers wait for each update, so a small block
     * caps the claim rate (8 held 32 threads to about one block per round trip).
     */
    private static final int MINT_BLOCK = 32;
    /** How long an empty free list is believed before it is read again (releases elsewhere wait this long to be reused). */
    private static final long EMPTY_FREE_LIST_MILLIS = 1000;
    private static final int FREE_READ = 8;

    private final DynamoDbClient dynamo;
    private final String table;
    private final NodeStore nodes;
    private final String pool;
    private final int base;
    private final Deque<Long> minted = new ArrayDeque<>();
    private final Deque<Long> freeHints = new ArrayDeque<>();
    private volatile long freeListEmptyUntil;

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
            long slot = reusable != null ? reusable : nextMinted();
            TransactWriteItem claim = reusable != null ? reuse(slot, node) : fresh(slot, node);
            Update transition = nodes.transition(node, NodeState.ALLOCATED,
                    Map.of("pool", s(pool), "slot", n(slot)), "slot " + slot + " in pool " + pool);
            TransactWriteItem advance = TransactWriteItem.builder().update(transition).build();
            try {
                dynamo.transactWriteItems(b -> b.transactItems(claim, advance));
                return nodes.written(allocated(node, transition, slot));
            } catch (TransactionCanceledException cancelled) {
                List<CancellationReason> reasons = cancelled.cancellationReasons();
                boolean nodeRaced = reasons.size() > 1 && "ConditionalCheckFailed".equals(reasons.get(1).code());
                boolean slotTaken = !reasons.isEmpty() && "ConditionalCheckFailed".equals(reasons.get(0).code());
                if (nodeRaced) {
                    if (reusable == null) {
                        giveBack(slot);
                    }
                    throw new LeaseLost(node.nodeId());
                }
                if (reusable == null && !slotTaken) {
                    // A conflict, not a taken slot: the number is still ours to try again.
                    synchronized (minted) {
                        minted.addFirst(slot);
                    }
                }
                // The slot went to someone else between our read and our write: try another.
            }
        }
        throw new IllegalStateException("No slot could be claimed in pool " + pool + " after " + MAX_ATTEMPTS + " attempts");
    }

    /** The node as the transaction left it (the same values the update wrote), without reading it back. */
    private Node allocated(Node node, Update transition, long slot) {
        Map<String, AttributeValue> v = transition.expressionAttributeValues();
        Map<String, String> step = new LinkedHashMap<>();
        v.get(":h").l().get(0).m().forEach((k, value) -> step.put(k, value.s()));
        List<Map<String, String>> history = new ArrayList<>(node.history());
        history.add(step);
        return node.allocated(pool, (int) slot, Long.parseLong(v.get(":next").n()), v.get(":now").s(),
                Long.parseLong(v.get(":until").n()), List.copyOf(history));
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
            if (nodePool.equals(pool)) {
                synchronized (freeHints) {
                    freeHints.addFirst(node.slot().longValue());
                }
            }
        } catch (ConditionalCheckFailedException alreadyFree) {
            // Released before, by an earlier attempt of the same clean-up.
        }
    }

    /** The node holding a slot, or null when it is free or was never minted. */
    public String holder(int slot) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).key(slotKey(pool, slot)).consistentRead(true)).item();
        return item == null ? null : Items.text(item, "owner");
    }

    /** A slot from the free list (read a few at a time), or null when it is empty. */
    private Long freeSlot() {
        synchronized (freeHints) {
            Long hint = freeHints.pollFirst();
            if (hint != null) {
                return hint;
            }
        }
        if (System.currentTimeMillis() < freeListEmptyUntil) {
            return null;
        }
        List<Map<String, AttributeValue>> free = dynamo.query(b -> b.tableName(table).indexName(Tables.SLOTS_FREE)
                .keyConditionExpression("freeIn = :pool")
                .expressionAttributeValues(Map.of(":pool", s(pool)))
                .limit(FREE_READ)).items();
        if (free.isEmpty()) {
            freeListEmptyUntil = System.currentTimeMillis() + EMPTY_FREE_LIST_MILLIS;
            return null;
        }
        // Concurrent claimers spread over the lowest few free slots instead of all racing for one.
        List<Long> slots = new ArrayList<>(free.stream().map(item -> Items.number(item, "slot")).toList());
        Collections.shuffle(slots, ThreadLocalRandom.current());
        synchronized (freeHints) {
            freeHints.addAll(slots.subList(1, slots.size()));
        }
        return slots.get(0);
    }

    /** The next never-used slot number, reserving a block from the counter when none is left. */
    private long nextMinted() {
        synchronized (minted) {
            if (minted.isEmpty()) {
                Map<String, AttributeValue> counter = dynamo.updateItem(b -> b.tableName(table).key(slotKey(pool, COUNTER))
                        .updateExpression("ADD #next :block")
                        .expressionAttributeNames(Map.of("#next", "next"))
                        .expressionAttributeValues(Map.of(":block", n(MINT_BLOCK)))
                        .returnValues(ReturnValue.UPDATED_NEW)).attributes();
                long end = Items.number(counter, "next", MINT_BLOCK);
                for (long slot = end - MINT_BLOCK; slot < end; slot++) {
                    minted.addLast(slot);
                }
            }
            return minted.pollFirst();
        }
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
