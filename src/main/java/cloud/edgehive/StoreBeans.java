package cloud.edgehive;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cloud.edgehive.local.EmbeddedDynamo;
import cloud.edgehive.pipeline.PauseAfterStep;
import cloud.edgehive.store.DeadLetterStore;
import cloud.edgehive.store.EventStore;
import cloud.edgehive.store.NodeStore;
import cloud.edgehive.store.SlotAllocator;
import cloud.edgehive.store.Tables;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The durable store: DynamoDB (or DynamoDB Local in local mode), its tables, and the stores over them. */
final class StoreBeans {

    private static final Logger LOG = LoggerFactory.getLogger(StoreBeans.class);

    record Store(DynamoDbClient dynamo, Tables tables, NodeStore nodes, SlotAllocator slots, EventStore events,
                 DeadLetterStore deadLetters) {
    }

    private StoreBeans() {
    }

    static Store bind(Wiring w) {
        Settings s = w.settings();
        DynamoDbClient dynamo = dynamo(w);
        Tables tables = new Tables(s.text("store.table-prefix"));
        if (s.flag("store.create-tables")) {
            tables.ensure(dynamo);
        }
        NodeStore nodes = new NodeStore(dynamo, tables, w.clock(), w.owner(), s.seconds("provisioning.lease-seconds"));
        s.optional("faults.pause-after").ifPresent(step -> {
            LOG.warn("Fault injection on: workers stop after recording {}", step);
            PauseAfterStep pause = new PauseAfterStep(step);
            nodes.afterWrite(pause);
            w.context().getManagementStrategy().addEventNotifier(pause.mailNotifier());
        });
        Store store = new Store(dynamo, tables, nodes,
                new SlotAllocator(dynamo, tables, nodes, s.text("slots.pool"), s.integer("slots.base")),
                new EventStore(dynamo, tables, w.clock(), w.owner(), s.seconds("provisioning.lease-seconds"),
                        s.days("store.event-retention-days")),
                new DeadLetterStore(dynamo, tables, w.clock(), s.days("store.dead-letter-retention-days")));
        w.bind("dynamo", dynamo);
        w.bind("tables", tables);
        w.bind("nodeStore", nodes);
        w.bind("slotAllocator", store.slots());
        w.bind("eventStore", store.events());
        w.bind("deadLetters", store.deadLetters());
        return store;
    }

    /**
     * The DynamoDB client: AWS (or aws.endpoint), or in local mode DynamoDB Local started in this
     * process with its data under local.data-dir and stopped with the service.
     */
    private static DynamoDbClient dynamo(Wiring w) {
        Settings s = w.settings();
        if (!s.flag("local.dynamodb.enabled")) {
            return AwsClients.configure(DynamoDbClient.builder(), s, "dynamodb").build();
        }
        EmbeddedDynamo embedded = EmbeddedDynamo.start(ServiceBeans.localDir(s).resolve("dynamodb"), s.integer("local.dynamodb.port"));
        try {
            w.context().addService(embedded, true, true);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        // DynamoDB Local accepts any credentials; these never reach AWS.
        return AwsClients.configure(DynamoDbClient.builder(), s, "dynamodb")
                .endpointOverride(embedded.endpoint())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .build();
    }
}
