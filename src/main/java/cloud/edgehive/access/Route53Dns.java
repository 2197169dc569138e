package cloud.edgehive.access;

import cloud.edgehive.store.Node;
import java.util.function.Supplier;

import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.Change;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.InvalidChangeBatchException;
import software.amazon.awssdk.services.route53.model.NoSuchHostedZoneException;
import software.amazon.awssdk.services.route53.model.RRType;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;

/** An A record {@code node-<id>.<zone>} in a Route 53 hosted zone. */
public class Route53Dns implements AccessProvider {

    /** Built on first use, like the EC2 client. */
    private final Supplier<Route53Client> route53;
    private final String hostedZoneId;
    private final String zone;
    private final long ttl;
    private final String scheme;

    public Route53Dns(Supplier<Route53Client> route53, String hostedZoneId, String zone, long ttl, String scheme) {
        this.route53 = route53;
        this.hostedZoneId = hostedZoneId;
        this.zone = zone;
        this.ttl = ttl;
        this.scheme = scheme;
    }

    @Override
    public String name() {
        return "route53";
    }

    @Override
    public Access publish(Node node) {
        String address = node.host();
        if (address == null) {
            throw new IllegalStateException("Node " + node.nodeId() + " has no address to publish");
        }
        String name = node.hostLabel() + "." + zone;
        route53.get().changeResourceRecordSets(b -> b.hostedZoneId(hostedZoneId).changeBatch(c -> c
                .comment("edge-hive-cloud " + node.nodeId())
                .changes(change(ChangeAction.UPSERT, name, address))));
        return new Access(name, scheme + "://" + name);
    }

    /**
     * Deletes the node's record as Route 53 holds it. The name is derived when the node never
     * recorded it (a worker that published the record and died before writing the node), and the
     * record is read first because a DELETE must match the stored value exactly.
     */
    @Override
    public void unpublish(Node node) {
        String name = node.dnsName() != null ? node.dnsName() : node.hostLabel() + "." + zone;
        ResourceRecordSet stored;
        try {
            stored = route53.get().listResourceRecordSets(b -> b.hostedZoneId(hostedZoneId)
                            .startRecordName(name).startRecordType(RRType.A).maxItems("1"))
                    .resourceRecordSets().stream()
                    .filter(r -> r.type() == RRType.A && sameName(r.name(), name))
                    .findFirst().orElse(null);
        } catch (NoSuchHostedZoneException noZone) {
            // A zone that does not exist holds no record of ours (e.g. a misconfigured zone id).
            return;
        }
        if (stored == null) {
            return;
        }
        try {
            route53.get().changeResourceRecordSets(b -> b.hostedZoneId(hostedZoneId).changeBatch(c -> c
                    .changes(Change.builder().action(ChangeAction.DELETE).resourceRecordSet(stored).build())));
        } catch (InvalidChangeBatchException alreadyGone) {
            // Deleted by a concurrent clean-up between our read and our write: the outcome we wanted.
        }
    }

    private static boolean sameName(String stored, String wanted) {
        String a = stored.endsWith(".") ? stored.substring(0, stored.length() - 1) : stored;
        String b = wanted.endsWith(".") ? wanted.substring(0, wanted.length() - 1) : wanted;
        return a.equalsIgnoreCase(b);
    }

    private Change change(ChangeAction action, String name, String address) {
        return Change.builder().action(action).resourceRecordSet(ResourceRecordSet.builder()
                .name(name)
                .type(RRType.A)
                .ttl(ttl)
                .resourceRecords(r -> r.value(address))
                .build()).build();
    }
}
