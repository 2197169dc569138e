package cloud.edgehive.store;

import static cloud.edgehive.store.Items.s;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Work that still failed after its retries: what failed, where, why, and the payload to replay it.
 * Payloads hold personal data (emails, the Stripe event), so every dead letter carries
 * {@code expiresAt} and DynamoDB's TTL deletes it after {@code store.dead-letter-retention-days}.
 */
public class DeadLetterStore {

    public static final String KIND = "dead-letter";

    private final DynamoDbClient dynamo;
    private final String table;
    private final Clock clock;
    private final java.time.Duration retention;

    public DeadLetterStore(DynamoDbClient dynamo, Tables tables, Clock clock, java.time.Duration retention) {
        this.dynamo = dynamo;
        this.table = tables.deadLetters();
        this.clock = clock;
        this.retention = retention;
    }

    public static final String OPEN = "OPEN";
    public static final String REPLAYED = "REPLAYED";
    public static final String DISCARDED = "DISCARDED";

    /** Records a dead letter for a node's step and returns its id. */
    public String record(String nodeId, String step, String cause, String payload) {
        return record(nodeId, null, step, cause, payload);
    }

    /** Records a dead letter for a node's step or a Stripe event's handling; returns its id. */
    public String record(String nodeId, String eventId, String step, String cause, String payload) {
        String id = "dl-" + UUID.randomUUID();
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("id", s(id));
        item.put("kind", s(KIND));
        item.put("createdAt", s(clock.instant().toString()));
        item.put("step", s(step == null ? "unknown" : step));
        item.put("cause", s(cause == null ? "unknown" : cause));
        item.put("status", s(OPEN));
        item.put("expiresAt", AttributeValue.fromN(Long.toString(clock.instant().plus(retention).getEpochSecond())));
        if (nodeId != null) {
            item.put("nodeId", s(nodeId));
        }
        if (eventId != null) {
            item.put("eventId", s(eventId));
        }
        if (payload != null) {
            item.put("payload", s(payload));
        }
        dynamo.putItem(b -> b.tableName(table).item(item));
        return id;
    }

    /**
     * Dead letters newest first, created between {@code from} and {@code to} (ISO instants), optionally
     * only one step's and one status's: a Query on the age index, never a Scan.
     */
    public java.util.List<Map<String, AttributeValue>> list(String from, String to, String step, String status, int limit) {
        Map<String, String> names = new HashMap<>(Map.of("#kind", "kind", "#created", "createdAt"));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":kind", s(KIND), ":from", s(from), ":to", s(to)));
        java.util.List<String> filters = new java.util.ArrayList<>();
        if (step != null) {
            names.put("#step", "step");
            values.put(":step", s(step));
            filters.add("#step = :step");
        }
        if (status != null) {
            names.put("#status", "status");
            values.put(":status", s(status));
            filters.add("#status = :status");
        }
        var request = software.amazon.awssdk.services.dynamodb.model.QueryRequest.builder().tableName(table)
                .indexName(Tables.DEAD_LETTERS_BY_AGE)
                .keyConditionExpression("#kind = :kind AND #created BETWEEN :from AND :to")
                .expressionAttributeNames(names)
                .expressionAttributeValues(values)
                .scanIndexForward(false);
        if (!filters.isEmpty()) {
            request.filterExpression(String.join(" AND ", filters));
        }
        return dynamo.queryPaginator(request.build()).items().stream().limit(limit).toList();
    }

    /** OPEN → {@code to}; false when the dead letter was already replayed or discarded. */
    public boolean close(String id, String to) {
        try {
            dynamo.updateItem(b -> b.tableName(table).key(Map.of("id", s(id)))
                    .updateExpression("SET #status = :to, closedAt = :now")
                    .conditionExpression("#status = :open")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(Map.of(":to", s(to), ":open", s(OPEN), ":now", s(clock.instant().toString()))));
            return true;
        } catch (software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException notOpen) {
            return false;
        }
    }

    public Map<String, AttributeValue> find(String id) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).key(Map.of("id", s(id))).consistentRead(true)).item();
        return item == null || item.isEmpty() ? null : item;
    }
}
