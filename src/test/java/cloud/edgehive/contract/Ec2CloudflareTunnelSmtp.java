package cloud.edgehive.contract;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import com.icegreen.greenmail.util.GreenMailUtil;

import cloud.edgehive.harness.CloudflareDouble;
import cloud.edgehive.harness.RunningService;
import cloud.edgehive.harness.TestCloud;
import cloud.edgehive.store.NodeIds;
import cloud.edgehive.store.NodeState;
import jakarta.mail.internet.MimeMessage;

/**
 * EC2 instances, a Cloudflare Tunnel and proxied CNAME per node, SMTP: against moto, the Cloudflare
 * double and GreenMail. {@code cloudflare} (no tunnel) is the same world with records only.
 */
final class Ec2CloudflareTunnelSmtp implements World {

    private static final String API_TOKEN = "cf-contract-api-token";
    /** cloudflare.name-prefix: names the node's tunnel and comments its record. */
    private static final String PREFIX = "edge-hive-";
    /** The Cloudflare calls that publish a node, in order, as method and path. */
    private static final Map<String, String[]> CALLS = new LinkedHashMap<>();

    static {
        CALLS.put("tunnel-create", new String[] {"POST", "/accounts/[^/]+/cfd_tunnel"});
        CALLS.put("ingress-put", new String[] {"PUT", "/accounts/[^/]+/cfd_tunnel/[^/]+/configurations"});
        CALLS.put("record-create", new String[] {"POST", "/zones/[^/]+/dns_records"});
    }

    private final TestCloud cloud = TestCloud.fresh("contract-cloudflare");
    private final CloudflareDouble cloudflare = CloudflareDouble.start(API_TOKEN);
    private final String access;
    private AwsAnswerHold ec2;


    Ec2CloudflareTunnelSmtp(String access) {
        this.access = access;
    }

    @Override
    public String name() {
        return "ec2+" + access + "+smtp";
    }

    @Override
    public String profile() {
        return null;
    }

    @Override
    public Map<String, String> config() {
        Map<String, String> config = cloud.config();
        config.put("compute.provider", "ec2");
        config.put("access.provider", access);
        config.putAll(RunningService.CLOUDFLARED_PINS);
        config.put("mail.provider", "smtp");
        config.put("dns.zone", TestCloud.ZONE);
        config.put("cloudflare.api-base", cloudflare.baseUrl());
        config.put("cloudflare.api-token", API_TOKEN);
        config.put("cloudflare.account-id", CloudflareDouble.ACCOUNT);
        config.put("cloudflare.zone-id", CloudflareDouble.ZONE);
        config.put("node.cloud-url", "https://cloud.test.example");
        return config;
    }

    @Override
    public int liveResources(String nodeId) {
        return (int) RunningService.ec2().describeInstances(b -> b.filters(
                        f -> f.name("tag:edgehive:node-id").values(nodeId),
                        f -> f.name("instance-state-name").values("pending", "running", "stopping", "stopped")))
                .reservations().stream().mapToLong(r -> r.instances().size()).sum();
    }

    /** The node's live tunnels and its DNS records at the Cloudflare double. */
    @Override
    public int publishedNames(String nodeId) {
        String label = NodeIds.hostLabel(nodeId) + ".";
        long tunnels = cloudflare.liveTunnels().stream().filter(t -> t.name.equals(PREFIX + nodeId)).count();
        long records = cloudflare.records().stream().filter(r -> r.name().startsWith(label)).count();
        return (int) (tunnels + records);
    }

    @Override
    public int namesPerNode() {
        return tunnel() ? 2 : 1;
    }

    /**
     * Tunnels and records the double ever created for the node, and (tunnel only) the ingress rules
     * naming its hostname across its live tunnels.
     */
    @Override
    public Map<String, Integer> namesEverCreated(String nodeId) {
        String hostname = NodeIds.hostLabel(nodeId) + "." + TestCloud.ZONE;
        Map<String, Integer> made = new LinkedHashMap<>();
        made.put("records", (int) cloudflare.created().stream().filter(c -> c.equals("record " + hostname)).count());
        if (tunnel()) {
            made.put("tunnels", (int) cloudflare.created().stream().filter(c -> c.equals("tunnel " + PREFIX + nodeId)).count());
            int rules = 0;
            for (CloudflareDouble.Tunnel t : cloudflare.liveTunnels()) {
                if (t.name.equals(PREFIX + nodeId) && t.config != null) {
                    for (JsonNode rule : t.config.path("ingress")) {
                        rules += hostname.equals(rule.path("hostname").asText()) ? 1 : 0;
                    }
                }
            }
            made.put("ingress rules", rules);
        }
        return made;
    }

    /**
     * RunInstances (the instance made, its answer never seen: no instance recorded), then each
     * Cloudflare call that publishes the node (done at the double, its answer held).
     */
    @Override
    public Map<String, NodeState> holdableCalls() {
        Map<String, NodeState> calls = new LinkedHashMap<>();
        calls.put("run-instances", NodeState.LAUNCHING);
        for (String call : CALLS.keySet()) {
            if (tunnel() || call.equals("record-create")) {
                calls.put(call, NodeState.RUNNING);
            }
        }
        return calls;
    }

    /** EC2 through the holding proxy; Cloudflare calls never time out, so a held answer stays held. */
    @Override
    public Map<String, String> holdingConfig() {
        return Map.of("aws.ec2.endpoint", ec2().url(), "cloudflare.timeout-seconds", "3600");
    }

    @Override
    public void holdAnswer(String call, String nodeId) {
        if (call.equals("run-instances")) {
            ec2().hold("RunInstances", nodeId);
            return;
        }
        String[] request = CALLS.get(call);
        cloudflare.holdAnswerOf(request[0], request[1], PREFIX + nodeId);
    }

    @Override
    public boolean answerHeld(String call, String nodeId) {
        if (call.equals("run-instances")) {
            return liveResources(nodeId) > 0;
        }
        String[] request = CALLS.get(call);
        return cloudflare.holdsAnswerOf(request[0], request[1], PREFIX + nodeId);
    }

    private synchronized AwsAnswerHold ec2() {
        if (ec2 == null) {
            ec2 = new AwsAnswerHold();
        }
        return ec2;
    }

    @Override
    public void releaseHeldAnswers() {
        cloudflare.releaseHeld();
    }

    private boolean tunnel() {
        return access.equals("cloudflare-tunnel");
    }

    @Override
    public List<String> deliveryIds(String to) {
        return Ec2Route53Smtp.messageIds(cloud, to);
    }

    @Override
    public List<String> mailsTo(String to) {
        List<String> bodies = new ArrayList<>();
        for (MimeMessage mail : cloud.mailsTo(to)) {
            bodies.add(GreenMailUtil.getBody(mail));
        }
        return bodies;
    }

    @Override
    public void close() {
        if (ec2 != null) {
            ec2.close();
        }
        cloudflare.close();
        cloud.close();
    }
}
