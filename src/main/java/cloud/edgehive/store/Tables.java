package cloud.edgehive.store;

import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveSpecification;

/**
 * The service's DynamoDB tables, defined once here. {@code cloud/tables.md} describes them for
 * operators who create them by hand; start-up creates missing ones when {@code store.create-tables}.
 */
public final class Tables {

    private static final Logger LOG = LoggerFactory.getLogger(Tables.class);

    public static final String NODES_BY_USER = "by-user";
    public static final String NODES_BY_STATE = "by-state";
    public static final String EVENTS_BY_STATUS = "by-status";
    public static final String SLOTS_FREE = "free";
    public static final String DEAD_LETTERS_BY_AGE = "by-age";
    public static final String SUBSCRIPTIONS_BY_USER = "by-user";
    public static final String SUBSCRIPTIONS_DUE = "due";

    /** One table: name, keys, indexes and an optional TTL attribute. */
    public record Definition(String name, Key hash, Key range, List<Index> indexes, String ttlAttribute) {
    }

    public record Key(String name, ScalarAttributeType type) {
    }

    public record Index(String name, Key hash, Key range) {
    }

    private final String prefix;

    public Tables(String prefix) {
        this.prefix = prefix;
    }

    public String nodes() {
        return prefix + "nodes";
    }

    public String events() {
        return prefix + "events";
    }

    public String slots() {
        return prefix + "slots";
    }

    public String deadLetters() {
        return prefix + "dead-letters";
    }

    public String subscriptions() {
        return prefix + "subscriptions";
    }

    /** Dashboard sessions and the sign-in tokens already exchanged for one (each usable once). */
    public String sessions() {
        return prefix + "sessions";
    }

    public List<Definition> definitions() {
        Key nodeId = new Key("nodeId", ScalarAttributeType.S);
        return List.of(
                new Definition(nodes(), nodeId, null, List.of(
                        new Index(NODES_BY_USER, new Key("userId", ScalarAttributeType.S), new Key("createdAt", ScalarAttributeType.S)),
                        new Index(NODES_BY_STATE, new Key("state", ScalarAttributeType.S), new Key("updatedAt", ScalarAttributeType.S))),
                        null),
                new Definition(events(), new Key("eventId", ScalarAttributeType.S), null, List.of(
                        new Index(EVENTS_BY_STATUS, new Key("status", ScalarAttributeType.S), new Key("receivedAt", ScalarAttributeType.S))),
                        "expiresAt"),
                new Definition(slots(), new Key("pool", ScalarAttributeType.S), new Key("slot", ScalarAttributeType.N), List.of(
                        new Index(SLOTS_FREE, new Key("freeIn", ScalarAttributeType.S), new Key("slot", ScalarAttributeType.N))),
                        null),
                new Definition(deadLetters(), new Key("id", ScalarAttributeType.S), null, List.of(
                        new Index(DEAD_LETTERS_BY_AGE, new Key("kind", ScalarAttributeType.S), new Key("createdAt", ScalarAttributeType.S))),
                        "expiresAt"),
                new Definition(subscriptions(), new Key("subscriptionId", ScalarAttributeType.S), null, List.of(
                        new Index(SUBSCRIPTIONS_BY_USER, new Key("userId", ScalarAttributeType.S), new Key("createdAt", ScalarAttributeType.S)),
                        new Index(SUBSCRIPTIONS_DUE, new Key("schedule", ScalarAttributeType.S), new Key("dueAt", ScalarAttributeType.S))),
                        null),
                new Definition(sessions(), new Key("sessionKey", ScalarAttributeType.S), null, List.of(), "expiresAt"));
    }

    /** Creates every table that does not exist yet and waits until it is active. */
    public void ensure(DynamoDbClient dynamo) {
        for (Definition table : definitions()) {
            if (exists(dynamo, table.name())) {
                continue;
            }
            try {
                dynamo.createTable(createRequest(table));
                LOG.info("Created DynamoDB table {}", table.name());
            } catch (ResourceInUseException raced) {
                LOG.debug("Table {} was created by another replica", table.name());
            }
            dynamo.waiter().waitUntilTableExists(b -> b.tableName(table.name()));
            if (table.ttlAttribute() != null) {
                dynamo.updateTimeToLive(b -> b.tableName(table.name()).timeToLiveSpecification(
                        TimeToLiveSpecification.builder().attributeName(table.ttlAttribute()).enabled(true).build()));
            }
        }
    }

    /** Names of the tables that are missing, for the readiness check. */
    public List<String> missing(DynamoDbClient dynamo) {
        return missing(dynamo, definitions().stream().map(Definition::name).toList());
    }

    /** Those of the named tables that are missing. */
    public List<String> missing(DynamoDbClient dynamo, List<String> names) {
        List<String> missing = new ArrayList<>();
        for (String name : names) {
            if (!exists(dynamo, name)) {
                missing.add(name);
            }
        }
        return missing;
    }

    private static boolean exists(DynamoDbClient dynamo, String name) {
        try {
            dynamo.describeTable(b -> b.tableName(name));
            return true;
        } catch (ResourceNotFoundException e) {
            return false;
        }
    }

    static CreateTableRequest createRequest(Definition table) {
        List<AttributeDefinition> attributes = new ArrayList<>();
        addAttribute(attributes, table.hash());
        addAttribute(attributes, table.range());
        List<GlobalSecondaryIndex> indexes = new ArrayList<>();
        for (Index index : table.indexes()) {
            addAttribute(attributes, index.hash());
            addAttribute(attributes, index.range());
            indexes.add(GlobalSecondaryIndex.builder()
                    .indexName(index.name())
                    .keySchema(keySchema(index.hash(), index.range()))
                    .projection(Projection.builder().projectionType(ProjectionType.ALL).build())
                    .build());
        }
        CreateTableRequest.Builder request = CreateTableRequest.builder()
                .tableName(table.name())
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(attributes)
                .keySchema(keySchema(table.hash(), table.range()));
        if (!indexes.isEmpty()) {
            request.globalSecondaryIndexes(indexes);
        }
        return request.build();
    }

    private static List<KeySchemaElement> keySchema(Key hash, Key range) {
        List<KeySchemaElement> schema = new ArrayList<>();
        schema.add(KeySchemaElement.builder().attributeName(hash.name()).keyType(KeyType.HASH).build());
        if (range != null) {
            schema.add(KeySchemaElement.builder().attributeName(range.name()).keyType(KeyType.RANGE).build());
        }
        return schema;
    }

    private static void addAttribute(List<AttributeDefinition> attributes, Key key) {
        if (key == null || attributes.stream().anyMatch(a -> a.attributeName().equals(key.name()))) {
            return;
        }
        attributes.add(AttributeDefinition.builder().attributeName(key.name()).attributeType(key.type()).build());
    }
}
