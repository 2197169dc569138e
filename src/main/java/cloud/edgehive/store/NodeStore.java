package cloud.edgehive.store;

import static cloud.edgehive.store.Items.n;
import static cloud.edgehive.store.Items.s;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * The nodes table. Every change is a conditional write on the node's state, version and lease, so
 * two workers (threads or replicas) can never both advance one node.
 */
public class NodeStore {

    private final DynamoDbClient dynamo;
    private final String table;
    private final Clock clock;
    private final String owner;
    private final Duration lease;
    private final java.util.concurrent.atomic.AtomicLong claims = new java.util.concurrent.atomic.AtomicLong();
    private volatile java.util.function.Consumer<Node> afterWrite = node -> { };

    public NodeStore(DynamoDbClient dynamo, Tables tables, Clock clock, String owner, Duration lease) {
        this.dynamo = dynamo;
        this.table = tables.nodes();
        this.clock = clock;
        this.owner = owner;
        this.lease = lease;
    }

    public String owner() {
        return owner;
    }

    /** Called with the node after every recorded step; fault-injection tests pause the worker here. */
    public void afterWrite(java.util.function.Consumer<Node> listener) {
        this.afterWrite = listener;
    }

    /** Records a purchased node in REQUESTED; false when it exists already (a duplicate or a replay). */
    public boolean create(NodeRequest request) {
        String now = clock.instant().toString();
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("nodeId", s(request.nodeId()));
        item.put("userId", s(request.userId()));
        putIfPresent(item, "email", request.email());
        item.put("plan", s(request.plan()));
        item.put("region", s(request.region()));
        item.put("instanceType", s(request.instanceType()));
        item.put("storageGb", n(request.storageGb()));
        putIfPresent(item, "sessionId", request.sessionId());
        putIfPresent(item, "customerId", request.customerId());
        putIfPresent(item, "subscriptionId", request.subscriptionId());
        item.put("state", s(NodeState.REQUESTED.name()));
        item.put("version", n(0));
        item.put("createdAt", s(now));
        item.put("updatedAt", s(now));
        item.put("history", AttributeValue.fromL(List.of(historyEntry(NodeState.REQUESTED, now, "purchased"))));
        item.put("notified", AttributeValue.fromM(Map.of()));
        try {
            dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(nodeId)"));
            return true;
        } catch (ConditionalCheckFailedException exists) {
            return false;
        }
    }

    public Optional<Node> find(String nodeId) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).key(key(nodeId)).consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(Node.from(item));
    }

    public Node get(String nodeId) {
        return find(nodeId).orElseThrow(() -> new IllegalStateException("No node " + nodeId));
    }

    /**
     * Takes the work lease on a node that still has work owed (provisioning, or a lifecycle operation
     * in progress); null when another worker holds a live lease or there is nothing left to do. An
     * expired lease is taken over: that is how any replica resumes work a crashed one left behind. A
     * live lease is never claimed again, not even by this replica, and each claim stores its own lease
     * token that every later write of that worker is conditioned on: two threads (the checkout's
     * hand-off and the reconciler, say) can never both launch one node.
     */
    public Node claim(String nodeId) {
        long now = clock.millis();
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":me", s(newLeaseToken()));
        values.put(":now", n(now));
        values.put(":until", n(now + lease.toMillis()));
        StringJoiner states = new StringJoiner(", ");
        int i = 0;
        for (NodeState state : NodeState.values()) {
            if (state.isUnsettled()) {
                values.put(":s" + i, s(state.name()));
                states.add(":s" + i++);
            }
        }
        try {
            return Node.from(dynamo.updateItem(b -> b.tableName(table).key(key(nodeId))
                    .updateExpression("SET leaseOwner = :me, leaseUntil = :until")
                    .conditionExpression("attribute_exists(nodeId) AND #state IN (" + states + ")"
                            + " AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)")
                    .expressionAttributeNames(Map.of("#state", "state"))
                    .expressionAttributeValues(values)
                    .returnValues(ReturnValue.ALL_NEW)).attributes());
        } catch (ConditionalCheckFailedException busyOrDone) {
            return null;
        }
    }

    /** Gives the lease up so another worker need not wait for it to expire. */
    public void release(Node node) {
        if (node == null || node.leaseOwner() == null) {
            return;
        }
        try {
            dynamo.updateItem(b -> b.tableName(table).key(key(node.nodeId()))
                    .updateExpression("SET leaseUntil = :zero")
                    .conditionExpression("leaseOwner = :me")
                    .expressionAttributeValues(Map.of(":zero", n(0), ":me", s(node.leaseOwner()))));
        } catch (ConditionalCheckFailedException notOurs) {
            // Someone else holds it now; nothing to give back.
        }
    }

    /** Extends the lease while a long step (waiting for the instance) is still in progress. */
    public void renew(Node node) {
        if (node.leaseOwner() == null) {
            throw new LeaseLost(node.nodeId());
        }
        try {
            dynamo.updateItem(b -> b.tableName(table).key(key(node.nodeId()))
                    .updateExpression("SET leaseUntil = :until")
                    .conditionExpression("leaseOwner = :me")
                    .expressionAttributeValues(Map.of(":until", n(clock.millis() + lease.toMillis()), ":me", s(node.leaseOwner()))));
        } catch (ConditionalCheckFailedException taken) {
            throw new LeaseLost(node.nodeId());
        }
    }

    /** Moves the node to {@code to}, storing the step's results; throws {@link LeaseLost} on a race. */
    public Node advance(Node node, NodeState to, Map<String, AttributeValue> results, String note) {
        return written(Node.from(write(node, transition(node, to, results, note)).attributes()));
    }

    /** Stores a step's results without changing state (e.g. the instance id right after launch). */
    public Node record(Node node, Map<String, AttributeValue> results) {
        return written(Node.from(write(node, transition(node, node.state(), results, null)).attributes()));
    }

    /**
     * The node as recorded now, for the worker holding {@code held}'s lease (a retried step starts from
     * what its failed attempt may have written); {@link LeaseLost} when another worker holds it now.
     */
    public Node refresh(Node held) {
        Node now = get(held.nodeId());
        if (!java.util.Objects.equals(now.leaseOwner(), held.leaseOwner())) {
            throw new LeaseLost(held.nodeId());
        }
        return now;
    }

    /** Records a saga step as done, with the undo that reverses it, after the step's own result. */
    public Node recordStep(Node node, String step, String undo) {
        return record(node, Map.of("saga", sagaWith(node, step, undo)));
    }

    /**
     * A step's results plus, when it runs as a saga step ({@code step} not null) not yet recorded done,
     * the saga record with it: the step's last write stores both (one write instead of two).
     */
    public Map<String, AttributeValue> withStep(Node node, String step, String undo, Map<String, AttributeValue> results) {
        if (step == null || node.hasCompleted(step)) {
            return results;
        }
        Map<String, AttributeValue> all = new java.util.HashMap<>(results);
        all.put("saga", sagaWith(node, step, undo));
        return all;
    }

    /**
     * The node's saga record with {@code step} (and its undo) added: a step's last write stores it with
     * its result (one write instead of two), so the step is recorded done exactly when its result is.
     */
    public AttributeValue sagaWith(Node node, String step, String undo) {
        List<AttributeValue> saga = new ArrayList<>();
        node.saga().forEach(entry -> saga.add(AttributeValue.fromM(Map.of("step", s(entry.get("step")), "undo", s(entry.get("undo"))))));
        saga.add(AttributeValue.fromM(Map.of("step", s(step), "undo", s(undo))));
        return AttributeValue.fromL(saga);
    }

    /** For writers outside this class (the slot transaction) that recorded a step. */
    public Node written(Node node) {
        afterWrite.accept(node);
        return node;
    }

    /** The conditional update behind {@link #advance}, for callers that write it in a transaction. */
    public Update transition(Node node, NodeState to, Map<String, AttributeValue> results, String note) {
        String now = clock.instant().toString();
        Map<String, String> names = new HashMap<>();
        Map<String, AttributeValue> values = new HashMap<>();
        StringJoiner set = new StringJoiner(", ", "SET ", "");
        names.put("#state", "state");
        names.put("#version", "version");
        values.put(":from", s(node.state().name()));
        values.put(":v", n(node.version()));
        values.put(":next", n(node.version() + 1));
        values.put(":to", s(to.name()));
        values.put(":now", s(now));
        values.put(":me", s(node.leaseOwner() == null ? "" : node.leaseOwner()));
        set.add("#state = :to").add("#version = :next").add("updatedAt = :now");
        // A result may set the lease's expiry itself (0: the last step gives the lease up in the same write).
        if (!results.containsKey("leaseUntil")) {
            values.put(":until", n(clock.millis() + lease.toMillis()));
            set.add("leaseUntil = :until");
        }
        if (note != null) {
            values.put(":h", AttributeValue.fromL(List.of(historyEntry(to, now, note))));
            values.put(":empty", AttributeValue.fromL(List.of()));
            set.add("history = list_append(if_not_exists(history, :empty), :h)");
        }
        int i = 0;
        List<String> removals = new ArrayList<>();
        for (Map.Entry<String, AttributeValue> result : results.entrySet()) {
            String name = "#r" + i;
            names.put(name, result.getKey());
            if (result.getValue() == null) {
                removals.add(name);
            } else {
                values.put(":r" + i, result.getValue());
                set.add(name + " = :r" + i);
            }
            i++;
        }
        String expression = set + (removals.isEmpty() ? "" : " REMOVE " + String.join(", ", removals));
        return Update.builder().tableName(table).key(key(node.nodeId()))
                .updateExpression(expression)
                .conditionExpression("#state = :from AND #version = :v AND leaseOwner = :me")
                .expressionAttributeNames(names)
                .expressionAttributeValues(values)
                .build();
    }

    /** Notes that an email of this kind went out, so a resumed or replayed step does not send it again. */
    public Node markNotified(Node node, String kind) {
        return record(node, Map.of("notified", notifiedWith(node, kind)));
    }

    /**
     * Records the node's billing standing (status, countdown) with a history note. It leaves state,
     * version and lease alone, so it never disturbs a worker that is moving the node along.
     */
    public Node recordBilling(Node node, Map<String, String> billing, String note) {
        Map<String, AttributeValue> values = new HashMap<>();
        Map<String, AttributeValue> map = new LinkedHashMap<>();
        billing.forEach((k, v) -> map.put(k, s(v)));
        values.put(":b", AttributeValue.fromM(map));
        String expression = "SET billing = :b";
        if (note != null) {
            values.put(":h", AttributeValue.fromL(List.of(historyEntry(node.state(), clock.instant().toString(), note))));
            values.put(":empty", AttributeValue.fromL(List.of()));
            expression += ", history = list_append(if_not_exists(history, :empty), :h)";
        }
        String update = expression;
        return Node.from(dynamo.updateItem(b -> b.tableName(table).key(key(node.nodeId()))
                .updateExpression(update)
                .conditionExpression("attribute_exists(nodeId)")
                .expressionAttributeValues(values)
                .returnValues(ReturnValue.ALL_NEW)).attributes());
    }

    /** Notes one email as sent under {@code key}, without the node's lease (see {@link #recordBilling}). */
    /**
     * Takes the right to send the email {@code key} to the node's owner, before it is sent: false when
     * it was sent, or another worker is sending it now (two deliveries of the same news at once, or a
     * replica's check racing an event's). A reservation whose sender died without sending goes stale
     * after the lease time, and the next check may then send it.
     */
    public boolean reserveNotification(String nodeId, String key) {
        long now = clock.millis();
        try {
            dynamo.updateItem(b -> b.tableName(table).key(key(nodeId))
                    .updateExpression("SET notified.#k = :pending")
                    .conditionExpression("attribute_exists(notified) AND (attribute_not_exists(notified.#k)"
                            + " OR (begins_with(notified.#k, :prefix) AND notified.#k < :stale))")
                    .expressionAttributeNames(Map.of("#k", key))
                    .expressionAttributeValues(Map.of(":pending", s(pending(now)), ":prefix", s(PENDING),
                            ":stale", s(pending(now - lease.toMillis())))));
            return true;
        } catch (ConditionalCheckFailedException sentOrSending) {
            return false;
        }
    }

    private static final String PENDING = "sending since ";

    /** Fixed width, so later reservations compare greater as strings. */
    private static String pending(long millis) {
        return PENDING + String.format("%015d", millis);
    }

    public void markNotified(String nodeId, String key) {
        dynamo.updateItem(b -> b.tableName(table).key(key(nodeId))
                .updateExpression("SET notified.#k = :at")
                .conditionExpression("attribute_exists(notified)")
                .expressionAttributeNames(Map.of("#k", key))
                .expressionAttributeValues(Map.of(":at", s(clock.instant().toString()))));
    }

    /** The node's record of emails sent, with {@code kind} added now unless it was sent before. */
    public AttributeValue notifiedWith(Node node, String kind) {
        Map<String, AttributeValue> sent = new LinkedHashMap<>();
        node.notified().forEach((k, v) -> sent.put(k, s(v)));
        sent.putIfAbsent(kind, s(clock.instant().toString()));
        return AttributeValue.fromM(sent);
    }

    /** Nodes in a state whose lease has lapsed: the work a crashed or slow worker left behind. */
    public List<String> stalled(NodeState state, int limit) {
        return dynamo.queryPaginator(QueryRequest.builder().tableName(table).indexName(Tables.NODES_BY_STATE)
                        .keyConditionExpression("#state = :state")
                        .filterExpression("attribute_not_exists(leaseUntil) OR leaseUntil < :now")
                        .expressionAttributeNames(Map.of("#state", "state"))
                        .expressionAttributeValues(Map.of(":state", s(state.name()), ":now", n(clock.millis())))
                        .build())
                .items().stream().limit(limit).map(item -> Items.text(item, "nodeId")).toList();
    }


    /** Every node with work owed that nobody is working on, up to {@code limit}. */
    public List<String> stalledWork(int limit) {
        List<String> ids = new ArrayList<>();
        for (NodeState state : NodeState.values()) {
            if (state.isUnsettled() && ids.size() < limit) {
                ids.addAll(stalled(state, limit - ids.size()));
            }
        }
        return ids;
    }

    /**
     * Starts a lifecycle operation: moves the node from its current state to {@code to} and takes its
     * lease. With {@code force} the lease is taken even from a live worker (termination wins over
     * provisioning: that worker's next write fails and it stops); without it, a node someone is working
     * on is refused with {@link LeaseLost}. Retries when the node changed between read and write.
     */
    public Node takeOver(String nodeId, java.util.function.Predicate<Node> allowed, NodeState to, String note, boolean force) {
        return takeOver(nodeId, allowed, to, Map.of(), note, force);
    }

    /** {@link #takeOver} that also stores (or, for null values, removes) attributes. */
    public Node takeOver(String nodeId, java.util.function.Predicate<Node> allowed, NodeState to,
                         Map<String, AttributeValue> results, String note, boolean force) {
        for (int attempt = 0; attempt < 16; attempt++) {
            Node node = get(nodeId);
            if (!allowed.test(node)) {
                return node;
            }
            long now = clock.millis();
            Map<String, AttributeValue> withLease = new HashMap<>(results);
            withLease.put("leaseOwner", s(newLeaseToken()));
            Update update = transition(node, to, withLease, note);
            Map<String, AttributeValue> values = new HashMap<>(update.expressionAttributeValues());
            values.remove(":me");
            if (!force) {
                values.put(":nowMs", n(now));
            }
            String condition = "#state = :from AND #version = :v"
                    + (force ? "" : " AND (attribute_not_exists(leaseUntil) OR leaseUntil < :nowMs)");
            try {
                return Node.from(dynamo.updateItem(b -> b.tableName(table).key(key(nodeId))
                        .updateExpression(update.updateExpression())
                        .conditionExpression(condition)
                        .expressionAttributeNames(update.expressionAttributeNames())
                        .expressionAttributeValues(values)
                        .returnValues(ReturnValue.ALL_NEW)).attributes());
            } catch (ConditionalCheckFailedException changed) {
                Node now2 = get(nodeId);
                if (!force && now2.version() == node.version()) {
                    throw new LeaseLost(nodeId);
                }
            }
        }
        throw new LeaseLost(nodeId);
    }

    /** Nodes in {@code state} whose last recorded change is older than {@code before}, oldest first. */
    public List<Node> unchangedSince(NodeState state, java.time.Instant before, int limit) {
        return dynamo.queryPaginator(QueryRequest.builder().tableName(table).indexName(Tables.NODES_BY_STATE)
                        .keyConditionExpression("#state = :state AND updatedAt < :before")
                        .expressionAttributeNames(Map.of("#state", "state"))
                        .expressionAttributeValues(Map.of(":state", s(state.name()), ":before", s(before.toString())))
                        .build())
                .items().stream().limit(limit).map(Node::from).toList();
    }


    /**
     * Takes a node that made no progress from whoever holds it (a hung worker), counting the takeover
     * in {@code resumes}; the node keeps its state. Null when it changed meanwhile.
     */
    public Node seize(Node node, String note) {
        Node taken = takeOver(node.nodeId(), n -> n.version() == node.version() && n.state() == node.state(), node.state(),
                Map.of("resumes", n(node.resumes() + 1L)), note, true);
        return taken.version() == node.version() ? null : taken;
    }

    /** Marks a finding on the node without taking it (no state or version change). */
    public void annotate(String nodeId, String name, String value) {
        dynamo.updateItem(b -> b.tableName(table).key(key(nodeId))
                .updateExpression("SET #n = :v")
                .conditionExpression("attribute_exists(nodeId)")
                .expressionAttributeNames(Map.of("#n", name))
                .expressionAttributeValues(Map.of(":v", s(value))));
    }

    /** A user's nodes, newest first: one Query on the user index, O(their nodes). */
    public List<Node> byUser(String userId) {
        return dynamo.queryPaginator(QueryRequest.builder().tableName(table).indexName(Tables.NODES_BY_USER)
                        .keyConditionExpression("userId = :u")
                        .expressionAttributeValues(Map.of(":u", s(userId)))
                        .scanIndexForward(false)
                        .build())
                .items().stream().map(Node::from).toList();
    }


    private software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse write(Node node, Update update) {
        try {
            return dynamo.updateItem(b -> b.tableName(update.tableName()).key(update.key())
                    .updateExpression(update.updateExpression())
                    .conditionExpression(update.conditionExpression())
                    .expressionAttributeNames(update.expressionAttributeNames())
                    .expressionAttributeValues(update.expressionAttributeValues())
                    .returnValues(ReturnValue.ALL_NEW));
        } catch (ConditionalCheckFailedException raced) {
            throw new LeaseLost(node.nodeId());
        }
    }

    private String newLeaseToken() {
        return owner + "/" + claims.incrementAndGet();
    }

    static Map<String, AttributeValue> key(String nodeId) {
        return Map.of("nodeId", s(nodeId));
    }

    private static AttributeValue historyEntry(NodeState state, String at, String note) {
        return AttributeValue.fromM(Map.of("state", s(state.name()), "at", s(at), "note", s(note)));
    }

    private static void putIfPresent(Map<String, AttributeValue> item, String name, String value) {
        if (value != null && !value.isEmpty()) {
            item.put(name, s(value));
        }
    }
}
