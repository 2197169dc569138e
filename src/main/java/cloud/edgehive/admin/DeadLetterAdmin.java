package cloud.edgehive.admin;

import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.camel.Header;
import org.apache.camel.ProducerTemplate;

import cloud.edgehive.problem.ProblemException;
import cloud.edgehive.store.DeadLetterStore;
import cloud.edgehive.store.EventStore;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeState;
import cloud.edgehive.store.NodeStore;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The operators' view of dead letters: list (by step, status and age), inspect, replay, discard.
 * Replay resumes the work where it failed: an event's handling runs again from its stored payload;
 * a node in the middle of an operation continues it; a FAILED node, whose compensation removed
 * everything it had, is provisioned again under the same id (so never twice).
 */
public class DeadLetterAdmin {

    private static final Set<String> STATUSES = Set.of(DeadLetterStore.OPEN, DeadLetterStore.REPLAYED, DeadLetterStore.DISCARDED);

    private final DeadLetterStore deadLetters;
    private final NodeStore nodes;
    private final EventStore events;
    private final ProducerTemplate work;
    private final Clock clock;

    public DeadLetterAdmin(DeadLetterStore deadLetters, NodeStore nodes, EventStore events, ProducerTemplate work, Clock clock) {
        this.deadLetters = deadLetters;
        this.nodes = nodes;
        this.events = events;
        this.work = work;
        this.clock = clock;
    }

    public Map<String, Object> list(@Header("step") String step, @Header("status") String status,
                                    @Header("olderThanMinutes") String olderThan, @Header("newerThanMinutes") String newerThan,
                                    @Header("limit") String limit) {
        int max = number("limit", limit, 100, 1, 1000);
        int older = number("olderThanMinutes", olderThan, 0, 0, 525_600);
        int newer = number("newerThanMinutes", newerThan, 525_600, 1, 5_256_000);
        String wanted = status == null || status.isBlank() ? DeadLetterStore.OPEN : status.trim().toUpperCase();
        if (!STATUSES.contains(wanted) && !"ALL".equals(wanted)) {
            throw new ProblemException(422, "Invalid parameter", "status must be one of OPEN, REPLAYED, DISCARDED, ALL");
        }
        Instant now = clock.instant();
        List<Map<String, Object>> items = deadLetters.list(now.minusSeconds(newer * 60L).toString(),
                        now.minusSeconds(older * 60L).toString(), step == null || step.isBlank() ? null : step.trim(),
                        "ALL".equals(wanted) ? null : wanted, max)
                .stream().map(item -> view(item, false)).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", items);
        body.put("count", items.size());
        return body;
    }

    public Map<String, Object> inspect(@Header("id") String id) {
        return view(existing(id), true);
    }

    public Map<String, Object> replay(@Header("id") String id) {
        Map<String, AttributeValue> item = existing(id);
        if (!DeadLetterStore.OPEN.equals(text(item, "status"))) {
            throw new ProblemException(409, "Not open", "Dead letter " + id + " is " + text(item, "status"));
        }
        String eventId = text(item, "eventId");
        String nodeId = text(item, "nodeId");
        if (eventId != null) {
            if (!events.reopen(eventId)) {
                throw new ProblemException(409, "Nothing to replay", "Event " + eventId + " is no longer failed");
            }
            deadLetters.close(id, DeadLetterStore.REPLAYED);
            work.sendBody("seda:stripe-events", eventId);
        } else if (nodeId != null) {
            Node node = nodes.find(nodeId).orElseThrow(() -> new ProblemException(409, "Nothing to replay", "Node " + nodeId + " no longer exists"));
            if (node.state() == NodeState.FAILED) {
                Map<String, AttributeValue> cleared = new HashMap<>();
                for (String field : List.of("lastError", "deadLetterId", "failedStep", "instanceId", "launchedAt", "host", "port",
                        "dnsName", "url", "slot", "pool", "saga")) {
                    cleared.put(field, null);
                }
                // Forced: nobody works on a FAILED node; its last worker may just not have let go yet.
                node = nodes.takeOver(nodeId, n -> n.state() == NodeState.FAILED, NodeState.REQUESTED, cleared,
                        "replayed from dead letter " + id, true);
                nodes.release(node);
            } else if (node.state().isUnsettled()) {
                nodes.release(node);
            } else {
                throw new ProblemException(409, "Nothing to replay", "Node " + nodeId + " is " + node.state());
            }
            deadLetters.close(id, DeadLetterStore.REPLAYED);
            work.sendBody("seda:node-work", nodeId);
        } else {
            throw new ProblemException(409, "Nothing to replay", "Dead letter " + id + " names no node or event");
        }
        return view(deadLetters.find(id), false);
    }

    public Map<String, Object> discard(@Header("id") String id) {
        existing(id);
        if (!deadLetters.close(id, DeadLetterStore.DISCARDED)) {
            throw new ProblemException(409, "Not open", "Dead letter " + id + " was already replayed or discarded");
        }
        return view(deadLetters.find(id), false);
    }

    private Map<String, AttributeValue> existing(String id) {
        Map<String, AttributeValue> item = id == null || !id.startsWith("dl-") ? null : deadLetters.find(id);
        if (item == null) {
            throw new ProblemException(404, "Not found", "No dead letter " + id);
        }
        return item;
    }

    private static Map<String, Object> view(Map<String, AttributeValue> item, boolean withPayload) {
        Map<String, Object> view = new LinkedHashMap<>();
        for (String field : List.of("id", "createdAt", "status", "step", "cause", "nodeId", "eventId", "closedAt")) {
            String value = text(item, field);
            if (value != null) {
                view.put(field, value);
            }
        }
        if (withPayload) {
            view.put("payload", text(item, "payload"));
        }
        return view;
    }

    private static String text(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
    }

    private static int number(String name, String value, int fallback, int min, int max) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new ProblemException(422, "Invalid parameter", name + " must be a whole number from " + min + " to " + max);
        }
    }
}
