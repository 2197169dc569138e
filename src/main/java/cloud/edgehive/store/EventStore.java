package cloud.edgehive.store;

import static cloud.edgehive.store.Items.n;
import static cloud.edgehive.store.Items.s;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * Stripe events, keyed by Stripe's event id. Recording is a conditional put, so a redelivered event
 * is recognised; the record (payload included) is the durable hand-off between the webhook's answer
 * and the work it starts, and it stays pending until that work is done. A new event with work is
 * recorded already taken by this process for a short hand-off lease (as long as the reconciler's
 * grace for a recorded event): the webhook hands it to a worker in memory, which needs no claim,
 * and if this process dies or drops it the lease lapses when the reconciler would have looked anyway.
 */
public class EventStore {

    public enum Outcome {
        NEW, PENDING, DUPLICATE;

        public boolean isDuplicate() {
            return this == DUPLICATE;
        }
    }

    /** What recording found, and the work to hand over: a {@link HeldEvent}, an event id to claim, or null (none). */
    public record Recorded(Outcome outcome, Object work) {
        public boolean isDuplicate() {
            return outcome.isDuplicate();
        }
    }

    /** An event this process recorded already taken, until {@code leaseUntil} (epoch millis). */
    public record HeldEvent(StoredEvent event, long leaseUntil) {
    }

    public static final String RECEIVED = "RECEIVED";
    public static final String PROCESSING = "PROCESSING";
    public static final String PROCESSED = "PROCESSED";
    public static final String FAILED = "FAILED";

    private final DynamoDbClient dynamo;
    private final String table;
    private final Clock clock;
    private final String owner;
    private final Duration lease;
    private final Duration handOff;
    private final Duration retention;

    /** {@code handOff}: how long a new event stays taken by the process that recorded it (the reconciler's grace). */
    public EventStore(DynamoDbClient dynamo, Tables tables, Clock clock, String owner, Duration lease, Duration handOff, Duration retention) {
        this.dynamo = dynamo;
        this.table = tables.events();
        this.clock = clock;
        this.owner = owner;
        this.lease = lease;
        this.handOff = handOff;
        this.retention = retention;
    }

    /**
     * NEW when this call recorded it; PENDING when recorded before but not yet done; else DUPLICATE.
     * A new event with work is recorded PROCESSING, taken by this process for the hand-off lease, and
     * handed over as a {@link HeldEvent}; a pending one as its id (a worker claims it). An event with
     * no work ({@link StoredEvent#needsWork()}) is recorded as already PROCESSED, so it costs the one
     * write the webhook's answer waits for and nothing after.
     */
    public Recorded record(StoredEvent event) {
        Instant at = clock.instant();
        String now = at.toString();
        long until = at.toEpochMilli() + handOff.toMillis();
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("eventId", s(event.eventId()));
        item.put("type", s(event.type()));
        item.put("created", n(event.created()));
        item.put("status", s(event.needsWork() ? PROCESSING : PROCESSED));
        item.put("receivedAt", s(now));
        if (event.needsWork()) {
            item.put("leaseOwner", s(owner));
            item.put("leaseUntil", n(until));
        } else {
            item.put("processedAt", s(now));
        }
        item.put("payload", AttributeValue.fromB(SdkBytes.fromByteArray(gzip(event.payload()))));
        item.put("expiresAt", n(clock.instant().plus(retention).getEpochSecond()));
        try {
            dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(eventId)"));
            return new Recorded(Outcome.NEW, event.needsWork() ? new HeldEvent(event, until) : null);
        } catch (ConditionalCheckFailedException seen) {
            Map<String, AttributeValue> existing = dynamo.getItem(b -> b.tableName(table)
                    .key(Map.of("eventId", s(event.eventId()))).consistentRead(true)).item();
            return PROCESSED.equals(Items.text(existing, "status")) ? new Recorded(Outcome.DUPLICATE, null)
                    : new Recorded(Outcome.PENDING, event.needsWork() ? event.eventId() : null);
        }
    }

    /**
     * The event a worker got, to work on: a held event as it is while at least half its hand-off lease
     * is left (no write); later, once its lease is renewed for a worker's full lease, which only works
     * while nobody else took it (the record still carries this hand-off's lease); an event id when
     * {@link #claim} takes it. Null when it is done or another worker holds it.
     */
    public StoredEvent take(Object work) {
        if (work instanceof HeldEvent held) {
            long now = clock.millis();
            if (now < held.leaseUntil() - handOff.toMillis() / 2) {
                return held.event();
            }
            try {
                dynamo.updateItem(b -> b.tableName(table).key(Map.of("eventId", s(held.event().eventId())))
                        .updateExpression("SET leaseUntil = :until")
                        .conditionExpression("#status = :processing AND leaseOwner = :me AND leaseUntil = :held")
                        .expressionAttributeNames(Map.of("#status", "status"))
                        .expressionAttributeValues(Map.of(":processing", s(PROCESSING), ":me", s(owner),
                                ":held", n(held.leaseUntil()), ":until", n(now + lease.toMillis()))));
                return held.event();
            } catch (ConditionalCheckFailedException takenOrDone) {
                return null;
            }
        }
        return claim(work.toString());
    }

    /** Takes the event for processing; null when it is done or another worker holds a live lease. */
    public StoredEvent claim(String eventId) {
        long now = clock.millis();
        try {
            Map<String, AttributeValue> item = dynamo.updateItem(b -> b.tableName(table).key(Map.of("eventId", s(eventId)))
                    .updateExpression("SET #status = :processing, leaseOwner = :me, leaseUntil = :until")
                    .conditionExpression("#status = :received OR (#status = :processing AND leaseUntil < :now)")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(Map.of(":processing", s(PROCESSING), ":received", s(RECEIVED),
                            ":me", s(owner), ":now", n(now), ":until", n(now + lease.toMillis())))
                    .returnValues(ReturnValue.ALL_NEW)).attributes();
            return new StoredEvent(eventId, Items.text(item, "type"), Items.number(item, "created", 0),
                    gunzip(item.get("payload").b().asByteArray()));
        } catch (ConditionalCheckFailedException doneOrBusy) {
            return null;
        }
    }

    public void markProcessed(String eventId) {
        dynamo.updateItem(b -> b.tableName(table).key(Map.of("eventId", s(eventId)))
                .updateExpression("SET #status = :done, processedAt = :now REMOVE leaseOwner, leaseUntil")
                .expressionAttributeNames(Map.of("#status", "status"))
                .expressionAttributeValues(Map.of(":done", s(PROCESSED), ":now", s(clock.instant().toString()))));
    }

    /** Parks an event whose work failed for good; its dead letter holds what is needed to replay it. */
    public void markFailed(String eventId, String deadLetterId) {
        dynamo.updateItem(b -> b.tableName(table).key(Map.of("eventId", s(eventId)))
                .updateExpression("SET #status = :failed, deadLetterId = :dl REMOVE leaseOwner, leaseUntil")
                .expressionAttributeNames(Map.of("#status", "status"))
                .expressionAttributeValues(Map.of(":failed", s(FAILED), ":dl", s(deadLetterId))));
    }

    /** FAILED → RECEIVED, so the event's handling runs again from its stored payload. */
    public boolean reopen(String eventId) {
        try {
            dynamo.updateItem(b -> b.tableName(table).key(Map.of("eventId", s(eventId)))
                    .updateExpression("SET #status = :received REMOVE deadLetterId")
                    .conditionExpression("#status = :failed")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(Map.of(":received", s(RECEIVED), ":failed", s(FAILED))));
            return true;
        } catch (ConditionalCheckFailedException notFailed) {
            return false;
        }
    }

    public String status(String eventId) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                .key(Map.of("eventId", s(eventId))).consistentRead(true)).item();
        return item == null || item.isEmpty() ? null : Items.text(item, "status");
    }

    /** Events recorded at least {@code olderThan} ago and still not processed, with no live lease. */
    public List<String> stalled(long olderThanSeconds, int limit) {
        String before = clock.instant().minusSeconds(olderThanSeconds).toString();
        long now = clock.millis();
        List<String> ids = new ArrayList<>();
        for (String status : List.of(RECEIVED, PROCESSING)) {
            QueryResponse page = dynamo.query(b -> b.tableName(table).indexName(Tables.EVENTS_BY_STATUS)
                    .keyConditionExpression("#status = :status AND receivedAt < :before")
                    .filterExpression("attribute_not_exists(leaseUntil) OR leaseUntil < :now")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(Map.of(":status", s(status), ":before", s(before), ":now", n(now)))
                    .limit(limit));
            page.items().forEach(item -> ids.add(Items.text(item, "eventId")));
        }
        return ids;
    }

    private static byte[] gzip(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
            zip.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static String gunzip(byte[] bytes) {
        try (GZIPInputStream zip = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            return new String(zip.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
