package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import cloud.edgehive.harness.MutableClock;
import cloud.edgehive.local.EmbeddedDynamo;
import cloud.edgehive.store.EventStore;
import cloud.edgehive.store.EventStore.HeldEvent;
import cloud.edgehive.store.EventStore.Outcome;
import cloud.edgehive.store.EventStore.Recorded;
import cloud.edgehive.store.StoredEvent;
import cloud.edgehive.store.Tables;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The webhook records a new event already taken by its own process for a hand-off lease as long as
 * the reconciler's grace, and hands it to a worker in memory: the worker needs no claim, nobody else
 * can take it meanwhile, and when the process dies or drops it the reconciler finds it exactly when
 * it would have found an event nobody took. Runs on DynamoDB Local, as local mode does.
 */
class EventHandOffTest {

    private static final Duration GRACE = Duration.ofSeconds(60);

    @TempDir
    static Path data;

    private static EmbeddedDynamo dynamoLocal;
    private static DynamoDbClient dynamo;
    private static final Tables TABLES = new Tables("handoff-");
    private static final MutableClock CLOCK = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
    private static EventStore webhook;
    private static EventStore otherReplica;

    @BeforeAll
    static void start() {
        dynamoLocal = EmbeddedDynamo.start(data.resolve("dynamodb"), 0);
        dynamo = DynamoDbClient.builder().endpointOverride(dynamoLocal.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"))).build();
        TABLES.ensure(dynamo);
        webhook = new EventStore(dynamo, TABLES, CLOCK, "replica-a", Duration.ofMinutes(5), GRACE, Duration.ofDays(30));
        otherReplica = new EventStore(dynamo, TABLES, CLOCK, "replica-b", Duration.ofMinutes(5), GRACE, Duration.ofDays(30));
    }

    @AfterAll
    static void stop() {
        dynamoLocal.stop();
    }

    @Test
    void aNewEventIsRecordedTakenAndHandedOverWithoutAClaim() {
        StoredEvent event = checkout("evt_handoff_new");
        Recorded recorded = webhook.record(event);

        assertEquals(Outcome.NEW, recorded.outcome());
        HeldEvent held = assertInstanceOf(HeldEvent.class, recorded.work());
        assertEquals(CLOCK.millis() + GRACE.toMillis(), held.leaseUntil());
        Map<String, AttributeValue> item = item("evt_handoff_new");
        assertEquals(EventStore.PROCESSING, item.get("status").s());
        assertEquals("replica-a", item.get("leaseOwner").s());
        assertEquals(String.valueOf(held.leaseUntil()), item.get("leaseUntil").n());

        // Taken as it is: no write (the record is unchanged), and no other replica or delivery gets it meanwhile.
        assertSame(event, webhook.take(held));
        assertEquals(item, item("evt_handoff_new"));
        assertNull(otherReplica.take("evt_handoff_new"), "held by replica-a");
        Recorded again = otherReplica.record(event);
        assertEquals(Outcome.PENDING, again.outcome());
        assertEquals("evt_handoff_new", again.work(), "a redelivery hands over the id, to claim");
        assertNull(otherReplica.take(again.work()));
        CLOCK.advance(Duration.ofSeconds(1));
        assertFalse(otherReplica.stalled(0, 100).contains("evt_handoff_new"), "the reconciler leaves a held event alone, whatever its grace");
    }

    @Test
    void anEventHeldLateIsRenewedByItsHolderAndOneDroppedIsFoundAfterTheGrace() {
        StoredEvent event = checkout("evt_handoff_late");
        HeldEvent held = (HeldEvent) webhook.record(event).work();

        // Less than half the hand-off lease left (a long queue): its holder renews it for a worker's full lease.
        CLOCK.advance(GRACE.dividedBy(2).plusSeconds(1));
        assertSame(event, webhook.take(held));
        assertEquals(String.valueOf(CLOCK.millis() + Duration.ofMinutes(5).toMillis()), item("evt_handoff_late").get("leaseUntil").n());
        CLOCK.advance(GRACE);
        assertFalse(otherReplica.stalled(GRACE.toSeconds(), 100).contains("evt_handoff_late"), "renewed: nobody else looks at it");
        assertNull(otherReplica.take("evt_handoff_late"));

        // Dropped (full queue, dead process): after the grace the reconciler finds it and a claim takes it;
        // the hand-off that comes late then gets nothing.
        StoredEvent dropped = checkout("evt_handoff_dropped");
        HeldEvent lost = (HeldEvent) webhook.record(dropped).work();
        CLOCK.advance(GRACE.dividedBy(2));
        assertFalse(otherReplica.stalled(GRACE.toSeconds(), 100).contains("evt_handoff_dropped"), "not stalled before the grace");
        CLOCK.advance(GRACE.dividedBy(2).plusSeconds(1));
        assertTrue(otherReplica.stalled(GRACE.toSeconds(), 100).contains("evt_handoff_dropped"));
        assertEquals("evt_handoff_dropped", otherReplica.take("evt_handoff_dropped").eventId());
        assertNull(webhook.take(lost), "taken by replica-b now");
        assertEquals("replica-b", item("evt_handoff_dropped").get("leaseOwner").s());
    }

    @Test
    void anEventWithNoWorkIsRecordedDoneAndHandsNothingOver() {
        StoredEvent event = new StoredEvent("evt_handoff_none", "charge.succeeded", CLOCK.instant().getEpochSecond(), "{}");
        Recorded recorded = webhook.record(event);
        assertEquals(Outcome.NEW, recorded.outcome());
        assertNull(recorded.work());
        assertEquals(EventStore.PROCESSED, item("evt_handoff_none").get("status").s());
        Recorded duplicate = webhook.record(event);
        assertTrue(duplicate.isDuplicate());
        assertNull(duplicate.work());
    }

    private static StoredEvent checkout(String id) {
        return new StoredEvent(id, "checkout.session.completed", CLOCK.instant().getEpochSecond(), "{\"id\":\"" + id + "\"}");
    }

    private static Map<String, AttributeValue> item(String eventId) {
        return dynamo.getItem(b -> b.tableName(TABLES.events()).key(Map.of("eventId", AttributeValue.fromS(eventId))).consistentRead(true)).item();
    }
}
