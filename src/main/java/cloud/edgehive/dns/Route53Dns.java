package cloud.edgehive.dns;

import cloud.edgehive.store.Node;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.Change;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.InvalidChangeBatchException;
import software.amazon.awssdk.services.route53.model.RRType;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;

/** An A record {@code node-<id>.<zone>} in a Route 53 hosted zone. */
public class Route53Dns implements DnsProvider {

    private final Route53Client route53;
    private final String hostedZoneId;
    private final String zone;
    private final long ttl;
    private final String scheme;

    public Route53Dns(Route53Client route53, String hostedZoneId, String zone, long ttl, String scheme) {
        this.route53 = route53;
        this.hostedZoneId = hostedZoneId;
        this.zone = zone;
        this.ttl = ttl;
        this.scheme = scheme;
    }

    @Override
    public Access publish(Node node, String address) {
        String name = node.hostLabel() + "." + zone;
        route53.changeResourceRecordSets(b -> b.hostedZoneId(hostedZoneId).changeBatch(c -> c
                .comment("edge-hive-cloud " + node.nodeId())
                .changes(change(ChangeAction.UPSERT, name, address))));
        return new Access(name, scheme + "://" + name);
    }

    @Override
    public void remove(Node node) {
        if (node.dnsName() == null || node.publicIp() == null) {
            return;
        }
        try {
            route53.changeResourceRecordSets(b -> b.hostedZoneId(hostedZoneId).changeBatch(c -> c
                    .changes(change(ChangeAction.DELETE, node.dnsName(), node.publicIp()))));
        } catch (InvalidChangeBatchException alreadyGone) {
            // Route 53 rejects deleting a record that is not there: the outcome we wanted.
        }
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
