package cloud.edgehive;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import org.apache.camel.CamelContext;
import org.apache.camel.Ordered;
import org.apache.camel.StartupListener;
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
                 DeadLetterStore deadLetters, TableCheck tableCheck) {
    }

    /**
     * The start-up check (and creation) of the tables, run on its own thread while Camel loads and builds
     * the routes, and awaited before any route consumer starts: nothing reads or writes a table before it
     * is known to exist, and a failure stops the start as it did when the check ran in line.
     */
    record TableCheck(CompletableFuture<Void> done) {

        static TableCheck none() {
            return new TableCheck(null);
        }

        static TableCheck start(CamelContext context, DynamoDbClient dynamo, Tables tables) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            Thread checker = new Thread(() -> {
                try {
                    tables.ensure(dynamo);
                    done.complete(null);
                } catch (Throwable e) {
                    done.completeExceptionally(e);
                }
            }, "edgehive-table-check");
            checker.setDaemon(true);
            checker.start();
            try {
                context.addStartupListener(new FirstStartupListener() {
                    @Override
                    public void onCamelContextStarting(CamelContext camelContext, boolean alreadyStarted) {
                        try {
                            done.join();
                        } catch (CompletionException e) {
                            throw e.getCause() instanceof RuntimeException r ? r : e;
                        }
                    }
                });
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return new TableCheck(done);
        }

        /** True when start-up has seen (or created) every table. */
        boolean verified() {
            return done != null && done.isDone() && !done.isCompletedExceptionally();
        }
    }

    /** Runs before Camel starts the route consumers, ahead of the other start-up listeners. */
    private interface FirstStartupListener extends StartupListener, Ordered {
        @Override
        default int getOrder() {
            return Ordered.HIGHEST;
        }

        @Override
        default void onCamelContextStarted(CamelContext camelContext, boolean alreadyStarted) {
            // awaited while starting
        }
    }

    private StoreBeans() {
    }

    static Store bind(Wiring w) {
        Settings s = w.settings();
        DynamoDbClient dynamo = dynamo(w);
        Tables tables = new Tables(s.text("store.table-prefix"));
        TableCheck tableCheck = s.flag("store.create-tables") ? TableCheck.start(w.context(), dynamo, tables) : TableCheck.none();
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
                        s.seconds("reconciler.event-grace-seconds"), s.days("store.event-retention-days")),
                new DeadLetterStore(dynamo, tables, w.clock(), s.days("store.dead-letter-retention-days")), tableCheck);
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
