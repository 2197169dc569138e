package cloud.edgehive.store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * One customer node as recorded in the nodes table: what was bought, where the pipeline is, and what
 * each step produced. Immutable: every step returns the record as DynamoDB holds it after its write.
 */
public record Node(
        String nodeId,
        String userId,
        String email,
        String plan,
        String region,
        String instanceType,
        int storageGb,
        String sessionId,
        String customerId,
        String subscriptionId,
        NodeState state,
        long version,
        String createdAt,
        String updatedAt,
        String pool,
        Integer slot,
        String instanceId,
        String launchedAt,
        String host,
        Integer port,
        String dnsName,
        String url,
        String lastError,
        String deadLetterId,
        String leaseOwner,
        long leaseUntil,
        int resumes,
        String drift,
        List<Map<String, String>> history,
        List<Map<String, String>> saga,
        Map<String, String> notified,
        Map<String, String> billing,
        String tunnelId,
        String tunnelStatus) {

    /** The short, DNS-safe name used for hostnames, e.g. {@code node-3f9c2a1b7d}. */
    public String hostLabel() {
        return NodeIds.hostLabel(nodeId);
    }

    public boolean hasInstance() {
        return instanceId != null && !instanceId.isEmpty();
    }

    /** Whether the provisioning saga recorded this step as done (so it skips itself). */
    public boolean hasCompleted(String step) {
        return saga.stream().anyMatch(s -> step.equals(s.get("step")));
    }

    public boolean wasNotified(String kind) {
        return notified.containsKey(kind);
    }

    /** This node after its slot claim was recorded: ALLOCATED at the given version, holding the slot. */
    Node allocated(String pool, int slot, long version, String updatedAt, long leaseUntil, List<Map<String, String>> history,
                   List<Map<String, String>> saga) {
        return new Node(nodeId, userId, email, plan, region, instanceType, storageGb, sessionId, customerId, subscriptionId,
                NodeState.ALLOCATED, version, createdAt, updatedAt, pool, slot, instanceId, launchedAt, host, port, dnsName, url,
                lastError, deadLetterId, leaseOwner, leaseUntil, resumes, drift, history, saga, notified, billing, tunnelId, tunnelStatus);
    }

    static Node from(Map<String, AttributeValue> item) {
        List<Map<String, String>> history = entries(item.get("history"));
        // The saga's completed steps in order, each with the undo that reverses it.
        List<Map<String, String>> saga = entries(item.get("saga"));
        Map<String, String> notified = new LinkedHashMap<>();
        AttributeValue nt = item.get("notified");
        if (nt != null && nt.hasM()) {
            nt.m().forEach((k, v) -> notified.put(k, v.s()));
        }
        // Billing standing shown with the node: status, and the suspend/terminate countdown if any.
        Map<String, String> billing = new LinkedHashMap<>();
        AttributeValue b = item.get("billing");
        if (b != null && b.hasM()) {
            b.m().forEach((k, v) -> billing.put(k, v.s()));
        }
        Long slot = Items.number(item, "slot");
        Long port = Items.number(item, "port");
        return new Node(
                Items.text(item, "nodeId"),
                Items.text(item, "userId"),
                Items.text(item, "email"),
                Items.text(item, "plan"),
                Items.text(item, "region"),
                Items.text(item, "instanceType"),
                (int) Items.number(item, "storageGb", 0),
                Items.text(item, "sessionId"),
                Items.text(item, "customerId"),
                Items.text(item, "subscriptionId"),
                NodeState.valueOf(Items.text(item, "state")),
                Items.number(item, "version", 0),
                Items.text(item, "createdAt"),
                Items.text(item, "updatedAt"),
                Items.text(item, "pool"),
                slot == null ? null : slot.intValue(),
                Items.text(item, "instanceId"),
                Items.text(item, "launchedAt"),
                // Records written before host and port existed named the address publicIp.
                Items.text(item, "host") != null ? Items.text(item, "host") : Items.text(item, "publicIp"),
                port == null ? null : port.intValue(),
                Items.text(item, "dnsName"),
                Items.text(item, "url"),
                Items.text(item, "lastError"),
                Items.text(item, "deadLetterId"),
                Items.text(item, "leaseOwner"),
                Items.number(item, "leaseUntil", 0),
                (int) Items.number(item, "resumes", 0),
                Items.text(item, "drift"),
                List.copyOf(history),
                List.copyOf(saga),
                Map.copyOf(notified),
                Map.copyOf(billing),
                Items.text(item, "tunnelId"),
                Items.text(item, "tunnelStatus"));
    }

    private static List<Map<String, String>> entries(AttributeValue list) {
        List<Map<String, String>> entries = new ArrayList<>();
        if (list != null && list.hasL()) {
            for (AttributeValue entry : list.l()) {
                Map<String, String> fields = new LinkedHashMap<>();
                entry.m().forEach((k, v) -> fields.put(k, v.s()));
                entries.add(fields);
            }
        }
        return entries;
    }
}
