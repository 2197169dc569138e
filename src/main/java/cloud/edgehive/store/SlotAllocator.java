package cloud.edgehive.store;

import static cloud.edgehive.store.Items.n;
import static cloud.edgehive.store.Items.s;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * Slots (a port on a shared host, or simply a node number) per pool. A claim is one conditional write
 * of the slot's item (a fresh number: {@code attribute_not_exists}; a released one: still free), then
 * the node's move to ALLOCATED records it: the same two writes a bare claim needs, with no transaction
 * and no read. A slot is never held by two nodes (the slot write is conditional), and released slots
 * are reused, lowest first; new numbers come from an atomic counter, reserved a block at a time
 * ahead of need (a crash can leave at most about two blocks unused, never given twice).
 *
 * <p>A claim whose node never recorded it (the node's write lost a race, or the process died between
 * the two writes) is given back at once when the race is seen, and otherwise found by
 * {@link #releaseUnrecorded()}: a slot held by a node that has moved past REQUESTED without recording
 * that slot, or by no node at all. A node still in REQUESTED may be between the two writes, so its
 * claims are left alone; a node that stays there (a dead worker) is resumed by the reconciler, moves
 * on with some slot, and its older claim is found the next time.
 */
public class SlotAllocator {

    private static final Logger LOG = LoggerFactory.getLogger(SlotAllocator.class);
    /** The per-pool counter lives at this sort key, below every real slot. */
    private static final long COUNTER = -1;
    private static final int MAX_ATTEMPTS = 64;
    /**
     * New slot numbers reserved per counter update; the next block is reserved once a quarter of the
     * current one is used, so a crash leaves at most about two blocks of numbers unused (never given twice).
     */
    private static final int MINT_BLOCK = 64;
    /** How long an empty free list is believed before it is read again (releases elsewhere wait this long to be reused). */
    private static final long EMPTY_FREE_LIST_MILLIS = 1000;
    private static final int FREE_READ = 8;

    private final DynamoDbClient dynamo;
    private final String table;
    private final String nodesTable;
    private final NodeStore nodes;
    private final String pool;
    private final int base;
    private final Deque<Long> minted = new ArrayDeque<>();
    /** Whether a claimer is reserving the next block now (guarded by {@code minted}). */
    private boolean reserving;
    private final Deque<Long> freeHints = new ArrayDeque<>();
    private final AtomicLong freeListEmptyUntil = new AtomicLong();

    public SlotAllocator(DynamoDbClient dynamo, Tables tables, NodeStore nodes, String pool, int base) {
        this.dynamo = dynamo;
        this.table = tables.slots();
        this.nodesTable = tables.nodes();
        this.nodes = nodes;
        this.pool = pool;
        this.base = base;
    }

    /** The port (or node number) a slot stands for. */
    public int portOf(int slot) {
        return base + slot;
    }

    /** Claims a slot for a REQUESTED node and moves it to ALLOCATED, recording the slot. */
    public Node allocate(Node node) {
        return allocate(node, null, null);
    }

    /**
     * {@link #allocate(Node)} as a saga step: the node's write also records {@code step} (with its
     * undo) as done, so the step costs the claim and that one write.
     */
    public Node allocate(Node node, String step, String undo) {
        if (node.state() != NodeState.REQUESTED) {
            return node;
        }
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Long reusable = freeSlot();
            long slot = reusable != null ? reusable : nextMinted();
            if (!claim(slot, reusable != null, node)) {
                // Taken between our read (or mint) and our write: try another.
                continue;
            }
            Map<String, AttributeValue> results = nodes.withStep(node, step, undo, Map.of("pool", s(pool), "slot", n(slot)));
            Update transition = nodes.transition(node, NodeState.ALLOCATED, results, "slot " + slot + " in pool " + pool);
            try {
                dynamo.updateItem(b -> b.tableName(transition.tableName()).key(transition.key())
                        .updateExpression(transition.updateExpression())
                        .conditionExpression(transition.conditionExpression())
                        .expressionAttributeNames(transition.expressionAttributeNames())
                        .expressionAttributeValues(transition.expressionAttributeValues()));
            } catch (ConditionalCheckFailedException raced) {
                // Another worker moved the node on: the slot it will never record goes back at once.
                free(pool, slot, node.nodeId());
                throw new LeaseLost(node.nodeId());
            }
            return nodes.written(allocated(node, transition, slot, results.get("saga")));
        }
        throw new IllegalStateException("No slot could be claimed in pool " + pool + " after " + MAX_ATTEMPTS + " attempts");
    }

    /** The node as the write left it (the values it wrote, {@code written} its saga record if any), without reading it back. */
    private Node allocated(Node node, Update transition, long slot, AttributeValue written) {
        Map<String, AttributeValue> v = transition.expressionAttributeValues();
        List<Map<String, String>> history = new ArrayList<>(node.history());
        Map<String, String> entry = new LinkedHashMap<>();
        v.get(":h").l().get(0).m().forEach((k, value) -> entry.put(k, value.s()));
        history.add(entry);
        List<Map<String, String>> saga = node.saga();
        if (written != null) {
            saga = new ArrayList<>();
            for (AttributeValue step : written.l()) {
                Map<String, String> fields = new LinkedHashMap<>();
                step.m().forEach((k, value) -> fields.put(k, value.s()));
                saga.add(fields);
            }
        }
        return node.allocated(pool, (int) slot, Long.parseLong(v.get(":next").n()), v.get(":now").s(),
                Long.parseLong(v.get(":until").n()), List.copyOf(history), List.copyOf(saga));
    }

    /** One conditional write: the slot is now the node's; false when someone else has it. */
    private boolean claim(long slot, boolean reused, Node node) {
        String now = Instant.now().toString();
        try {
            if (reused) {
                dynamo.updateItem(b -> b.tableName(table).key(slotKey(pool, slot))
                        .updateExpression("SET #owner = :node, claimedAt = :now REMOVE freeIn")
                        .conditionExpression("freeIn = :pool")
                        .expressionAttributeNames(Map.of("#owner", "owner"))
                        .expressionAttributeValues(Map.of(":node", s(node.nodeId()), ":pool", s(pool), ":now", s(now))));
            } else {
                dynamo.putItem(b -> b.tableName(table)
                        .item(Map.of("pool", s(pool), "slot", n(slot), "owner", s(node.nodeId()), "claimedAt", s(now)))
                        .conditionExpression("attribute_not_exists(#slot)")
                        .expressionAttributeNames(Map.of("#slot", "slot")));
            }
            return true;
        } catch (ConditionalCheckFailedException taken) {
            return false;
        }
    }

    /**
     * Gives back every slot of this pool held by a node that will never record it (see the class
     * comment); returns the slots given back. Reads the pool's held slots and their nodes' records
     * (a Query and batched reads), so it belongs on a timer, not on a request path.
     */
    public List<Long> releaseUnrecorded() {
        Map<Long, String> held = new LinkedHashMap<>();
        dynamo.queryPaginator(QueryRequest.builder().tableName(table)
                        .keyConditionExpression("#pool = :pool AND #slot >= :first")
                        .filterExpression("attribute_exists(#owner)")
                        .expressionAttributeNames(Map.of("#pool", "pool", "#slot", "slot", "#owner", "owner"))
                        .expressionAttributeValues(Map.of(":pool", s(pool), ":first", n(0)))
                        .projectionExpression("#slot, #owner")
                        .consistentRead(true)
                        .build())
                .items().forEach(item -> held.put(Items.number(item, "slot"), Items.text(item, "owner")));
        Map<String, Map<String, AttributeValue>> records = new HashMap<>();
        List<String> owners = held.values().stream().distinct().toList();
        for (int from = 0; from < owners.size(); from += 100) {
            List<Map<String, AttributeValue>> keys = owners.subList(from, Math.min(owners.size(), from + 100)).stream()
                    .map(NodeStore::key).toList();
            Map<String, KeysAndAttributes> request = Map.of(nodesTable, KeysAndAttributes.builder().keys(keys).consistentRead(true)
                    .projectionExpression("nodeId, #state, #pool, #slot")
                    .expressionAttributeNames(Map.of("#state", "state", "#pool", "pool", "#slot", "slot")).build());
            while (!request.isEmpty()) {
                Map<String, KeysAndAttributes> asked = request;
                BatchGetItemResponse answer = dynamo.batchGetItem(b -> b.requestItems(asked));
                answer.responses().getOrDefault(nodesTable, List.of()).forEach(item -> records.put(Items.text(item, "nodeId"), item));
                request = answer.hasUnprocessedKeys() ? answer.unprocessedKeys() : Map.of();
            }
        }
        List<Long> released = new ArrayList<>();
        held.forEach((slot, owner) -> {
            Map<String, AttributeValue> node = records.get(owner);
            boolean recorded = node != null && pool.equals(Items.text(node, "pool")) && Long.valueOf(slot).equals(Items.number(node, "slot"));
            boolean mayStillRecord = node != null && NodeState.REQUESTED.name().equals(Items.text(node, "state"));
            if (!recorded && !mayStillRecord && free(pool, slot, owner)) {
                LOG.warn("Slot {} in pool {} was claimed for node {}, which never recorded it ({}); released",
                        slot, pool, owner, node == null ? "no such node" : "it is " + Items.text(node, "state"));
                released.add(slot);
            }
        });
        return released;
    }

    /** Frees the node's slot for reuse. Idempotent: a slot the node no longer holds is left alone. */
    public void release(Node node) {
        if (node.slot() == null) {
            return;
        }
        free(node.pool() == null ? pool : node.pool(), node.slot(), node.nodeId());
    }

    /** Puts the slot on its pool's free list if {@code owner} holds it; false when it does not (released before). */
    private boolean free(String slotPool, long slot, String owner) {
        try {
            dynamo.updateItem(b -> b.tableName(table).key(slotKey(slotPool, slot))
                    .updateExpression("SET freeIn = :pool REMOVE #owner, claimedAt")
                    .conditionExpression("#owner = :node")
                    .expressionAttributeNames(Map.of("#owner", "owner"))
                    .expressionAttributeValues(Map.of(":pool", s(slotPool), ":node", s(owner))));
        } catch (ConditionalCheckFailedException alreadyFree) {
            // Released before, by an earlier attempt of the same clean-up.
            return false;
        }
        if (slotPool.equals(pool)) {
            synchronized (freeHints) {
                freeHints.addFirst(slot);
            }
        }
        return true;
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
        long now = System.currentTimeMillis();
        long until = freeListEmptyUntil.get();
        // One claimer reads the free list for everyone; the others take a fresh number meanwhile.
        if (now < until || !freeListEmptyUntil.compareAndSet(until, now + EMPTY_FREE_LIST_MILLIS)) {
            return null;
        }
        List<Map<String, AttributeValue>> free = dynamo.query(b -> b.tableName(table).indexName(Tables.SLOTS_FREE)
                .keyConditionExpression("freeIn = :pool")
                .expressionAttributeValues(Map.of(":pool", s(pool)))
                .limit(FREE_READ)).items();
        if (free.isEmpty()) {
            return null;
        }
        // Not empty: the next claimer that finds no hint reads it again at once.
        freeListEmptyUntil.set(0);
        // Concurrent claimers spread over the lowest few free slots instead of all racing for one.
        List<Long> slots = new ArrayList<>(free.stream().map(item -> Items.number(item, "slot")).toList());
        Collections.shuffle(slots, ThreadLocalRandom.current());
        synchronized (freeHints) {
            freeHints.addAll(slots.subList(1, slots.size()));
        }
        return slots.get(0);
    }

    /**
     * The next never-used slot number. The next block is reserved from the counter while three quarters
     * of the current one are still left, by one claimer and outside the lock, so claimers do not queue behind
     * the counter's round trip (with one block at a time, 32 claimers each waited for it once per block).
     */
    private long nextMinted() {
        Long slot;
        boolean reserve;
        synchronized (minted) {
            while (minted.isEmpty() && reserving) {
                try {
                    minted.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Interrupted while slot numbers were reserved", e);
                }
            }
            slot = minted.pollFirst();
            reserve = !reserving && minted.size() < MINT_BLOCK * 3 / 4;
            reserving |= reserve;
        }
        if (reserve) {
            List<Long> block = List.of();
            try {
                block = reserveBlock();
            } finally {
                synchronized (minted) {
                    minted.addAll(block);
                    reserving = false;
                    minted.notifyAll();
                }
            }
        }
        return slot != null ? slot : nextMinted();
    }

    private List<Long> reserveBlock() {
        Map<String, AttributeValue> counter = dynamo.updateItem(b -> b.tableName(table).key(slotKey(pool, COUNTER))
                .updateExpression("ADD #next :block")
                .expressionAttributeNames(Map.of("#next", "next"))
                .expressionAttributeValues(Map.of(":block", n(MINT_BLOCK)))
                .returnValues(ReturnValue.UPDATED_NEW)).attributes();
        long end = Items.number(counter, "next", MINT_BLOCK);
        List<Long> block = new ArrayList<>(MINT_BLOCK);
        for (long slot = end - MINT_BLOCK; slot < end; slot++) {
            block.add(slot);
        }
        return block;
    }

    private static Map<String, AttributeValue> slotKey(String pool, long slot) {
        return Map.of("pool", s(pool), "slot", n(slot));
    }
}
