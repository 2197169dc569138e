package cloud.edgehive.store;

import static cloud.edgehive.store.Items.s;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Work that still failed after its retries: what failed, where, why, and the payload to replay it. */
public class DeadLetterStore {

    public static final String KIND = "dead-letter";

    private final DynamoDbClient dynamo;
    private final String table;
    private final Clock clock;

    public DeadLetterStore(DynamoDbClient dynamo, Tables tables, Clock clock) {
        this.dynamo = dynamo;
        this.table = tables.deadLetters();
        this.clock = clock;
    }

    /** Records a dead letter and returns its id. */
    public String record(String nodeId, String step, String cause, String payload) {
        String id = "dl-" + UUID.randomUUID();
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("id", s(id));
        item.put("kind", s(KIND));
        item.put("createdAt", s(clock.instant().toString()));
        item.put("step", s(step == null ? "unknown" : step));
        item.put("cause", s(cause == null ? "unknown" : cause));
        item.put("status", s("OPEN"));
        if (nodeId != null) {
            item.put("nodeId", s(nodeId));
        }
        if (payload != null) {
            item.put("payload", s(payload));
        }
        dynamo.putItem(b -> b.tableName(table).item(item));
        return id;
    }

    public Map<String, AttributeValue> find(String id) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).key(Map.of("id", s(id))).consistentRead(true)).item();
        return item == null || item.isEmpty() ? null : item;
    }
}
