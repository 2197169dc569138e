package cloud.edgehive.ops;

import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import cloud.edgehive.store.Tables;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Readiness: DynamoDB answers and every table exists. Every table is looked up until all have been
 * seen once (start-up's table check counts); from then on one table's {@code DescribeTable} per check
 * proves DynamoDB answers with these credentials, instead of six calls on every probe. Not a liveness
 * check: restarting the service cannot bring DynamoDB back, it would only drop the work in flight.
 */
public class DynamoHealthCheck extends AbstractHealthCheck {

    private final DynamoDbClient dynamo;
    private final Tables tables;
    private final BooleanSupplier verifiedAtStart;
    private volatile boolean allSeen;

    /** verifiedAtStart: true once start-up has seen (or created) every table. */
    public DynamoHealthCheck(DynamoDbClient dynamo, Tables tables, BooleanSupplier verifiedAtStart) {
        super("edgehive", "dynamodb");
        this.dynamo = dynamo;
        this.tables = tables;
        this.verifiedAtStart = verifiedAtStart;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        try {
            allSeen = allSeen || verifiedAtStart.getAsBoolean();
            List<String> missing = allSeen ? tables.missing(dynamo, List.of(tables.nodes())) : tables.missing(dynamo);
            allSeen = missing.isEmpty();
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
