package cloud.edgehive.contract;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.icegreen.greenmail.util.GreenMailUtil;

import cloud.edgehive.harness.CloudflareDouble;
import cloud.edgehive.harness.RunningService;
import cloud.edgehive.harness.TestCloud;
import cloud.edgehive.store.NodeIds;
import jakarta.mail.internet.MimeMessage;

/**
 * EC2 instances, a Cloudflare Tunnel and proxied CNAME per node, SMTP: against moto, the Cloudflare
 * double and GreenMail. {@code cloudflare} (no tunnel) is the same world with records only.
 */
final class Ec2CloudflareTunnelSmtp implements World {

    private static final String API_TOKEN = "cf-contract-api-token";

    private final TestCloud cloud = TestCloud.fresh("contract-cloudflare");
    private final CloudflareDouble cloudflare = CloudflareDouble.start(API_TOKEN);
    private final String access;


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
        long tunnels = cloudflare.liveTunnels().stream().filter(t -> t.name.equals("edge-hive-" + nodeId)).count();
        long records = cloudflare.records().stream().filter(r -> r.name().startsWith(label)).count();
        return (int) (tunnels + records);
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
        cloudflare.close();
        cloud.close();
    }
}
