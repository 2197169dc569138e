package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import cloud.edgehive.harness.RunningService;
import cloud.edgehive.store.Tables;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/**
 * cloud/control-plane.yaml creates the tables the code defines (store/Tables.java): names, keys,
 * attribute types, indexes, projections, TTL and billing mode. (scripts/test.sh runs cfn-lint on it.)
 */
class CloudFormationTemplateTest {

    @SuppressWarnings("unchecked")
    static Map<String, Object> template() throws IOException {
        return (Map<String, Object>) new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(Path.of("cloud/control-plane.yaml")));
    }

    @Test
    @SuppressWarnings("unchecked")
    void tablesMatchTheCodesDefinitions() throws IOException {
        Map<String, Object> resources = (Map<String, Object>) template().get("Resources");
        String prefix = "edgehive-";
        Map<String, Map<String, Object>> templateTables = new TreeMap<>();
        resources.values().stream().map(r -> (Map<String, Object>) r)
                .filter(r -> "AWS::DynamoDB::Table".equals(r.get("Type")))
                .forEach(r -> {
                    Map<String, Object> properties = (Map<String, Object>) r.get("Properties");
                    String name = ((Map<String, String>) properties.get("TableName")).get("Fn::Sub").replace("${TablePrefix}", prefix);
                    templateTables.put(name, properties);
                });

        // The tables as the code really creates them (in moto), not as the test would restate them.
        String created = "cfn-check-" + System.nanoTime() + "-";
        DynamoDbClient dynamo = RunningService.dynamo();
        Tables tables = new Tables(created);
        tables.ensure(dynamo);
        Map<String, Map<String, Object>> expected = new TreeMap<>();
        for (Tables.Definition table : tables.definitions()) {
            try {
                TableDescription description = dynamo.describeTable(b -> b.tableName(table.name())).table();
                String ttl = dynamo.describeTimeToLive(b -> b.tableName(table.name())).timeToLiveDescription().attributeName();
                expected.put(table.name().replace(created, prefix), describe(description, ttl));
            } finally {
                dynamo.deleteTable(b -> b.tableName(table.name()));
            }
        }
        Map<String, Map<String, Object>> actual = new TreeMap<>();
        templateTables.forEach((name, properties) -> actual.put(name, describe(properties)));
        assertEquals(expected, actual);
    }

    @Test
    @SuppressWarnings("unchecked")
    void providesTheRoleAndSecurityGroups() throws IOException {
        Map<String, Object> resources = (Map<String, Object>) template().get("Resources");
        assertEquals("AWS::IAM::Role", ((Map<String, Object>) resources.get("ControlPlaneRole")).get("Type"));
        assertNotNull(resources.get("ControlPlaneInstanceProfile"));
        long groups = resources.values().stream().filter(r -> "AWS::EC2::SecurityGroup".equals(((Map<String, Object>) r).get("Type"))).count();
        assertTrue(groups >= 1, "a security group");
    }

    /** A created table as comparable values: keys, attribute types, indexes (keys, projection), TTL, billing mode. */
    private static Map<String, Object> describe(TableDescription table, String ttl) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("keys", table.keySchema().stream().map(k -> k.attributeName() + " " + k.keyTypeAsString()).toList());
        Map<String, String> types = new TreeMap<>();
        table.attributeDefinitions().forEach(a -> types.put(a.attributeName(), a.attributeTypeAsString()));
        d.put("attributes", types);
        Map<String, Object> indexes = new TreeMap<>();
        table.globalSecondaryIndexes().forEach(i -> indexes.put(i.indexName(), List.of(
                i.keySchema().stream().map(k -> k.attributeName() + " " + k.keyTypeAsString()).toList(),
                i.projection().projectionTypeAsString())));
        d.put("indexes", indexes);
        d.put("ttl", ttl);
        d.put("billing", table.billingModeSummary() == null ? null : table.billingModeSummary().billingModeAsString());
        return d;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> describe(Map<String, Object> properties) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("keys", keys((List<Map<String, String>>) properties.get("KeySchema")));
        Map<String, String> types = new TreeMap<>();
        ((List<Map<String, String>>) properties.get("AttributeDefinitions")).forEach(a -> types.put(a.get("AttributeName"), a.get("AttributeType")));
        d.put("attributes", types);
        Map<String, Object> indexes = new TreeMap<>();
        List<Map<String, Object>> gsis = (List<Map<String, Object>>) properties.getOrDefault("GlobalSecondaryIndexes", List.of());
        gsis.forEach(i -> indexes.put((String) i.get("IndexName"), List.of(keys((List<Map<String, String>>) i.get("KeySchema")),
                ((Map<String, String>) i.get("Projection")).get("ProjectionType"))));
        d.put("indexes", indexes);
        Map<String, Object> ttl = (Map<String, Object>) properties.get("TimeToLiveSpecification");
        d.put("ttl", ttl != null && Boolean.TRUE.equals(ttl.get("Enabled")) ? ttl.get("AttributeName") : null);
        d.put("billing", properties.get("BillingMode"));
        return d;
    }

    private static List<String> keys(List<Map<String, String>> schema) {
        return schema.stream().map(k -> k.get("AttributeName") + " " + k.get("KeyType")).toList();
    }
}
