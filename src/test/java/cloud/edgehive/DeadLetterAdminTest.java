package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

import cloud.edgehive.harness.Emulators;
import cloud.edgehive.harness.MutableClock;
import cloud.edgehive.harness.RunningService;
import cloud.edgehive.harness.ServiceTest;
import cloud.edgehive.harness.StripeSigner;
import cloud.edgehive.harness.Tokens;
import cloud.edgehive.store.DeadLetterStore;
import cloud.edgehive.store.EventStore;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeState;

/**
 * Dead letters through the operator API: only admins see them; a node that failed because SMTP was
 * down is replayed once SMTP is back and ends READY with one email; events replay; discard closes.
 * One service for the class, booted by Camel's test kit; each wait is for a route to finish
 * (NotifyBuilder on node-work or stripe-events).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeadLetterAdminTest extends ServiceTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final MutableClock clock = new MutableClock();
    private int smtpPort;
    private String zone;

    @BeforeAll
    void world() {
        Emulators.resetAws();
        smtpPort = Emulators.freePort();
        zone = RunningService.route53().createHostedZone(b -> b.name("nodes.test.example").callerReference("dl-admin"))
                .hostedZone().id();
    }

    /** SMTP is down: nothing listens on smtpPort until the replay part of the test. */
    @Override
    protected Map<String, String> settings() {
        return RunningService.defaults(smtpPort, zone);
    }

    @Override
    protected Map<String, Object> beans() {
        return Map.of("clock", clock);
    }

    @Test
    void operatorsListInspectReplayAndDiscard() throws Exception {
        String session = "cs_test_smtp_down";
        NotifyBuilder worked = workDone(session + "-0", 1);
        assertEquals(200, service.postSignedWebhook(StripeSigner.checkoutCompleted("evt_smtp_down", session, "user-dl",
                "dl@example.com", StripeSigner.PRO_PLAN)).statusCode());
        await(worked, Duration.ofSeconds(60));
        Node failed = service.nodes().get(session + "-0");
        assertEquals(NodeState.FAILED, failed.state(), failed.history()::toString);

        // Only admins.
        assertEquals(401, get("/api/v1/admin/dead-letters", null).statusCode());
        assertEquals(403, get("/api/v1/admin/dead-letters", Tokens.user("user-dl")).statusCode());
        HttpResponse<String> listed = get("/api/v1/admin/dead-letters?step=notify-user", Tokens.admin("ops"));
        assertEquals(200, listed.statusCode(), listed.body());
        JsonNode items = JSON.readTree(listed.body()).get("items");
        assertEquals(1, items.size(), listed.body());
        assertEquals(failed.deadLetterId(), items.get(0).get("id").asText());
        assertEquals(failed.nodeId(), items.get(0).get("nodeId").asText());
        assertTrue(items.get(0).get("cause").asText().contains("Connect"), items.get(0).toString());
        assertEquals(0, JSON.readTree(get("/api/v1/admin/dead-letters?step=allocate-slot", Tokens.admin("ops")).body())
                .get("items").size());
        assertEquals(0, count("?step=notify-user&status=DISCARDED"), "the letter is open");
        // The age window, on a letter whose age the test knows: made a moment ago, then three minutes old.
        assertEquals(1, count("?step=notify-user&status=ALL&newerThanMinutes=1"), "made within the last minute");
        assertEquals(0, count("?step=notify-user&status=ALL&olderThanMinutes=1"), "not yet a minute old");
        assertEquals(1, count("?step=notify-user&status=ALL&olderThanMinutes=0"), "older than zero minutes");
        clock.advance(Duration.ofMinutes(3));
        assertEquals(0, count("?step=notify-user&status=ALL&newerThanMinutes=2"), "three minutes old is not newer than two");
        assertEquals(1, count("?step=notify-user&status=ALL&olderThanMinutes=2"), "three minutes old is older than two");
        assertEquals(1, count("?step=notify-user&status=ALL&olderThanMinutes=2&newerThanMinutes=4"), "inside the window");
        assertEquals(0, count("?step=notify-user&status=ALL&olderThanMinutes=4"), "not four minutes old");

        // Bad input: 4xx with a problem, nothing changes.
        assertProblem(get("/api/v1/admin/dead-letters?limit=0", Tokens.admin("ops")), 422);
        assertProblem(get("/api/v1/admin/dead-letters?olderThanMinutes=soon", Tokens.admin("ops")), 422);
        assertProblem(get("/api/v1/admin/dead-letters?status=LOST", Tokens.admin("ops")), 422);
        assertProblem(get("/api/v1/admin/dead-letters/dl-nope", Tokens.admin("ops")), 404);
        assertProblem(send("POST", "/api/v1/admin/dead-letters/dl-nope/replay", Tokens.admin("ops")), 404);
        assertProblem(send("POST", "/api/v1/admin/dead-letters/" + failed.deadLetterId() + "/replay", Tokens.user("user-dl")), 403);

        HttpResponse<String> inspected = get("/api/v1/admin/dead-letters/" + failed.deadLetterId(), Tokens.admin("ops"));
        assertEquals(200, inspected.statusCode());
        assertTrue(JSON.readTree(inspected.body()).get("payload").asText().contains(failed.nodeId()));

        // SMTP comes back; the replay provisions the node again under the same id and it ends READY.
        GreenMail smtp = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", "smtp"));
        smtp.start();
        try {
            NotifyBuilder replayWorked = workDone(failed.nodeId(), 1);
            HttpResponse<String> replayed = send("POST", "/api/v1/admin/dead-letters/" + failed.deadLetterId() + "/replay",
                    Tokens.admin("ops"));
            assertEquals(202, replayed.statusCode(), replayed.body());
            assertEquals(DeadLetterStore.REPLAYED, JSON.readTree(replayed.body()).get("status").asText());
            await(replayWorked, Duration.ofSeconds(60));
            Node ready = service.nodes().get(failed.nodeId());
            assertEquals(NodeState.READY, ready.state(), ready::lastError);
            assertEquals(1, smtp.getReceivedMessages().length, "one email");
            assertEquals(1, RunningService.ec2().describeInstances(b -> b.filters(f -> f.name("tag:edgehive:node-id")
                    .values(ready.nodeId()).build(), f -> f.name("instance-state-name").values("running").build()))
                    .reservations().stream().mapToInt(r -> r.instances().size()).sum(), "one running instance");
            assertProblem(send("POST", "/api/v1/admin/dead-letters/" + failed.deadLetterId() + "/replay", Tokens.admin("ops")), 409);
        } finally {
            smtp.stop();
        }

        // An event whose handling fails for good (no user on the session) becomes a dead letter too.
        String orphanPayload = StripeSigner.checkoutCompleted("evt_no_user", "cs_test_no_user", "", "x@example.com", StripeSigner.PRO_PLAN);
        NotifyBuilder handled = eventDone("evt_no_user", 1);
        assertEquals(200, service.postSignedWebhook(orphanPayload).statusCode());
        await(handled, Duration.ofSeconds(20));
        EventStore events = service.bean("eventStore", EventStore.class);
        assertEquals(EventStore.FAILED, events.status("evt_no_user"));
        List<JsonNode> eventLetters = new ArrayList<>();
        JSON.readTree(get("/api/v1/admin/dead-letters?step=stripe-events", Tokens.admin("ops")).body()).get("items")
                .forEach(item -> {
                    if ("evt_no_user".equals(item.path("eventId").asText())) {
                        eventLetters.add(item);
                    }
                });
        assertEquals(1, eventLetters.size());
        String eventLetter = eventLetters.get(0).get("id").asText();

        HttpResponse<String> discarded = send("DELETE", "/api/v1/admin/dead-letters/" + eventLetter, Tokens.admin("ops"));
        assertEquals(200, discarded.statusCode(), discarded.body());
        assertEquals(DeadLetterStore.DISCARDED, JSON.readTree(discarded.body()).get("status").asText());
        assertProblem(send("DELETE", "/api/v1/admin/dead-letters/" + eventLetter, Tokens.admin("ops")), 409);
        assertProblem(send("POST", "/api/v1/admin/dead-letters/" + eventLetter + "/replay", Tokens.admin("ops")), 409);
        assertEquals(EventStore.FAILED, events.status("evt_no_user"), "discarding changes nothing but the letter");
    }

    private int count(String query) throws Exception {
        HttpResponse<String> listed = get("/api/v1/admin/dead-letters" + query, Tokens.admin("ops"));
        assertEquals(200, listed.statusCode(), listed.body());
        return JSON.readTree(listed.body()).get("items").size();
    }

    @Test
    void aFailedEventIsReplayedFromItsStoredPayload() throws Exception {
        String payload = StripeSigner.checkoutCompleted("evt_replay_event", "cs_test_replay_event", "", "y@example.com", StripeSigner.PRO_PLAN);
        NotifyBuilder handled = eventDone("evt_replay_event", 1);
        assertEquals(200, service.postSignedWebhook(payload).statusCode());
        await(handled, Duration.ofSeconds(20));
        assertEquals(EventStore.FAILED, service.bean("eventStore", EventStore.class).status("evt_replay_event"));
        String letter = null;
        for (JsonNode item : JSON.readTree(get("/api/v1/admin/dead-letters?limit=1000", Tokens.admin("ops")).body()).get("items")) {
            if ("evt_replay_event".equals(item.path("eventId").asText())) {
                letter = item.get("id").asText();
            }
        }
        NotifyBuilder replayed = eventDone("evt_replay_event", 1);
        assertEquals(202, send("POST", "/api/v1/admin/dead-letters/" + letter + "/replay", Tokens.admin("ops")).statusCode());
        await(replayed, Duration.ofSeconds(20));
        // The payload still names no user, so the replayed handling fails again: a new dead letter.
        int open = 0;
        for (JsonNode item : JSON.readTree(get("/api/v1/admin/dead-letters?limit=1000", Tokens.admin("ops")).body()).get("items")) {
            if ("evt_replay_event".equals(item.path("eventId").asText()) && !letter.equals(item.get("id").asText())) {
                open++;
            }
        }
        assertEquals(1, open, "the replay ran the event again");
    }

    private HttpResponse<String> get(String path, String token) {
        return send("GET", path, token);
    }

    private HttpResponse<String> send(String method, String path, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service.url(path))).method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return RunningService.send(request.build());
    }

    private static void assertProblem(HttpResponse<String> response, int status) {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
    }

}
