package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;


import cloud.edgehive.harness.RunningService;
import cloud.edgehive.harness.TestCloud;
import cloud.edgehive.harness.StripeSigner;
import cloud.edgehive.store.EventStore;

/** Every bad webhook gets its status code and a problem body, and changes nothing. */
class WebhookTest {

    private static TestCloud cloud;
    private static RunningService service;

    @BeforeAll
    static void start() {
        cloud = TestCloud.fresh("webhook");
        service = RunningService.start(cloud.config());
    }

    @AfterAll
    static void stop() {
        service.close();
        cloud.close();
    }

    @AfterEach
    void nothingWasProvisioned() {
        assertEquals(0, RunningService.ec2().describeInstances().reservations().size(), "no instance may be launched");
        assertEquals(0, cloud.smtp().getReceivedMessages().length);
    }

    @Test
    void missingSignatureIsRejected() {
        byte[] body = event("evt_nosig").getBytes(StandardCharsets.UTF_8);
        assertProblem(service.postWebhook(body, null), 400, "Missing signature");
        assertNotRecorded("evt_nosig");
    }

    @Test
    void forgedSignatureIsRejected() {
        byte[] body = event("evt_forged").getBytes(StandardCharsets.UTF_8);
        assertProblem(service.postWebhook(body, StripeSigner.header("whsec_someone_else", body)), 400, "Invalid signature");
        assertNotRecorded("evt_forged");
    }

    @Test
    void tamperedBodyIsRejected() {
        byte[] body = event("evt_tampered").getBytes(StandardCharsets.UTF_8);
        String signature = StripeSigner.header(RunningService.WEBHOOK_SECRET, body);
        byte[] tampered = event("evt_tampered").replace("user-x", "user-y").getBytes(StandardCharsets.UTF_8);
        assertProblem(service.postWebhook(tampered, signature), 400, "Invalid signature");
        assertNotRecorded("evt_tampered");
    }

    @Test
    void expiredSignatureIsRejected() {
        byte[] body = event("evt_expired").getBytes(StandardCharsets.UTF_8);
        long tenMinutesAgo = System.currentTimeMillis() / 1000 - 600;
        assertProblem(service.postWebhook(body, StripeSigner.header(RunningService.WEBHOOK_SECRET, tenMinutesAgo, body)),
                400, "Invalid signature");
        assertNotRecorded("evt_expired");
    }

    @Test
    void oversizedBodyIsRejected() {
        String padding = "x".repeat(1_100_000);
        byte[] body = event("evt_big").replace("\"metadata\": {}", "\"metadata\": {\"pad\": \"" + padding + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        assertTrue(body.length > 1_048_576);
        assertProblem(service.postWebhook(body, StripeSigner.header(RunningService.WEBHOOK_SECRET, body)), 413, "Payload too large");
        assertNotRecorded("evt_big");
    }

    @Test
    void unparseableJsonWithValidSignatureIsRejected() {
        byte[] body = "{\"id\": \"evt_broken\", \"type\": ".getBytes(StandardCharsets.UTF_8);
        assertProblem(service.postWebhook(body, StripeSigner.header(RunningService.WEBHOOK_SECRET, body)), 400, "Malformed event");
        assertNotRecorded("evt_broken");
        byte[] notAnEvent = "[1, 2, 3]".getBytes(StandardCharsets.UTF_8);
        assertProblem(service.postWebhook(notAnEvent, StripeSigner.header(RunningService.WEBHOOK_SECRET, notAnEvent)), 400,
                "Malformed event");
        byte[] invalidUtf8 = Arrays.copyOf(body, body.length + 2);
        invalidUtf8[body.length] = (byte) 0xC3;
        invalidUtf8[body.length + 1] = (byte) 0x28;
        assertProblem(service.postWebhook(invalidUtf8, StripeSigner.header(RunningService.WEBHOOK_SECRET, invalidUtf8)), 400,
                "Malformed event");
    }

    @Test
    void unknownEventTypeIsRecordedAndIgnored() {
        String payload = "{\"id\":\"evt_unknown\",\"object\":\"event\",\"type\":\"customer.tax_id.created\",\"created\":1,"
                + "\"data\":{\"object\":{\"id\":\"txi_1\"}}}";
        HttpResponse<String> response = service.postSignedWebhook(payload);
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.body().contains("\"duplicate\":false"), response.body());
        EventStore events = service.bean("eventStore", EventStore.class);
        RunningService.await(Duration.ofSeconds(20), () -> EventStore.PROCESSED.equals(events.status("evt_unknown")),
                () -> "event status " + events.status("evt_unknown"));
        HttpResponse<String> again = service.postSignedWebhook(payload);
        assertEquals(200, again.statusCode());
        assertTrue(again.body().contains("\"duplicate\":true"), again.body());
    }

    @Test
    void signatureIsCheckedOverTheExactBytes() {
        // Same JSON, different whitespace: a re-serialised body must not verify.
        String payload = event("evt_bytes");
        byte[] signedBytes = payload.getBytes(StandardCharsets.UTF_8);
        String signature = StripeSigner.header(RunningService.WEBHOOK_SECRET, signedBytes);
        byte[] reformatted = payload.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
        assertProblem(service.postWebhook(reformatted, signature), 400, "Invalid signature");
        assertNotRecorded("evt_bytes");
    }

    private static String event(String id) {
        return StripeSigner.checkoutCompleted(id, "cs_" + id, "user-x", "x@example.com", "{}");
    }

    private static void assertProblem(HttpResponse<String> response, int status, String title) {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
        assertTrue(response.body().contains("\"title\":\"" + title + "\""), response.body());
        assertTrue(response.body().contains("\"status\":" + status), response.body());
    }

    private static void assertNotRecorded(String eventId) {
        assertNull(service.bean("eventStore", EventStore.class).status(eventId), "event must not be recorded");
        assertTrue(service.nodes().find("cs_" + eventId + "-0").isEmpty(), "no node may be created");
    }
}
