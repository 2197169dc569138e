package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import cloud.edgehive.harness.RunningService;
import cloud.edgehive.harness.StripeSigner;
import cloud.edgehive.harness.TestCloud;
import cloud.edgehive.store.EventStore;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Dead letters keep whole payloads (emails, Stripe events): each one carries {@code expiresAt}, the
 * table's TTL attribute, set {@code store.dead-letter-retention-days} ahead, so DynamoDB deletes it.
 */
class DeadLetterRetentionTest {

    @Test
    void aDeadLetterExpiresAfterTheRetention() {
        try (TestCloud cloud = TestCloud.fresh("dead-letter-retention")) {
            Map<String, String> config = cloud.config();
            config.put("store.dead-letter-retention-days", "7");
            try (RunningService service = RunningService.start(config)) {
                Instant before = Instant.now();
                // No buyer on the session: the event fails for good and is dead-lettered with its payload.
                assertEquals(200, service.postSignedWebhook(StripeSigner.checkoutCompleted("evt_retention", "cs_test_retention", "",
                        "kept@example.com", StripeSigner.PRO_PLAN)).statusCode());
                EventStore events = service.bean("eventStore", EventStore.class);
                RunningService.await(Duration.ofSeconds(30), () -> EventStore.FAILED.equals(events.status("evt_retention")),
                        () -> "event is " + events.status("evt_retention"));
                List<Map<String, AttributeValue>> letters = RunningService.dynamo().scan(b -> b.tableName("edgehive-dead-letters"))
                        .items().stream().filter(i -> i.containsKey("eventId") && i.get("eventId").s().equals("evt_retention")).toList();
                assertEquals(1, letters.size());
                long expires = Long.parseLong(letters.get(0).get("expiresAt").n());
                long expected = before.plus(Duration.ofDays(7)).getEpochSecond();
                assertTrue(expires >= expected && expires <= expected + 120, "expires 7 days after it was written: " + expires);
                var ttl = RunningService.dynamo().describeTimeToLive(b -> b.tableName("edgehive-dead-letters")).timeToLiveDescription();
                assertEquals("expiresAt", ttl.attributeName());
                assertEquals("ENABLED", ttl.timeToLiveStatusAsString());
            }
        }
    }
}
