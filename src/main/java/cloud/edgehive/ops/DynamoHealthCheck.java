package cloud.edgehive.ops;

import java.util.List;
import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import cloud.edgehive.store.Tables;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Readiness: DynamoDB answers and every table exists. Not a liveness check: restarting the service
 * cannot bring DynamoDB back, it would only drop the work in flight.
 */
public class DynamoHealthCheck extends AbstractHealthCheck {

    private final DynamoDbClient dynamo;
    private final Tables tables;

    public DynamoHealthCheck(DynamoDbClient dynamo, Tables tables) {
        super("edgehive", "dynamodb");
        this.dynamo = dynamo;
        this.tables = tables;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        try {
            List<String> missing = tables.missing(dynamo);
            builder.detail("tables", tables.definitions().size());
            if (missing.isEmpty()) {
                builder.up();
            } else {
                builder.message("Missing tables: " + String.join(", ", missing)).down();
            }
        } catch (RuntimeException e) {
            builder.message("DynamoDB unreachable: " + e.getMessage()).error(e).down();
        }
    }
}
