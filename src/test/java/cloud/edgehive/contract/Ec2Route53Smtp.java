package cloud.edgehive.contract;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.icegreen.greenmail.util.GreenMailUtil;

import cloud.edgehive.harness.RunningService;
import cloud.edgehive.harness.TestCloud;
import cloud.edgehive.store.NodeIds;
import cloud.edgehive.store.NodeState;
import jakarta.mail.internet.MimeMessage;

/** EC2 instances, Route 53 records, SMTP: against moto and GreenMail. */
final class Ec2Route53Smtp implements World {

    private final TestCloud cloud = TestCloud.fresh("contract");
    private AwsAnswerHold aws;

    @Override
    public String name() {
        return "ec2+route53+smtp";
    }

    @Override
    public String profile() {
        return null;
    }

    @Override
    public Map<String, String> config() {
        Map<String, String> config = cloud.config();
        config.put("compute.provider", "ec2");
        config.put("access.provider", "route53");
        config.put("mail.provider", "smtp");
        return config;
    }

    @Override
    public int liveResources(String nodeId) {
        return (int) RunningService.ec2().describeInstances(b -> b.filters(
                        f -> f.name("tag:edgehive:node-id").values(nodeId),
                        f -> f.name("instance-state-name").values("pending", "running", "stopping", "stopped")))
                .reservations().stream().mapToLong(r -> r.instances().size()).sum();
    }

    @Override
    public int publishedNames(String nodeId) {
        String label = NodeIds.hostLabel(nodeId) + ".";
        return (int) RunningService.route53().listResourceRecordSets(b -> b.hostedZoneId(cloud.zoneId())).resourceRecordSets()
                .stream().filter(r -> r.name().startsWith(label)).count();
    }

    /**
     * RunInstances reached moto (the instance exists, tagged) and its answer never came: the node
     * records no instance. The record change reached Route 53 and its answer never came: the node
     * still records RUNNING.
     */
    @Override
    public Map<String, NodeState> holdableCalls() {
        Map<String, NodeState> calls = new LinkedHashMap<>();
        calls.put("run-instances", NodeState.LAUNCHING);
        calls.put("change-record", NodeState.RUNNING);
        return calls;
    }

    @Override
    public Map<String, String> holdingConfig() {
        return Map.of("aws.ec2.endpoint", aws().url(), "aws.route53.endpoint", aws().url());
    }

    @Override
    public void holdAnswer(String call, String nodeId) {
        if (call.equals("run-instances")) {
            aws().hold("RunInstances", nodeId);
        } else {
            aws().holdRecordChange(NodeIds.hostLabel(nodeId) + ".");
        }
    }

    @Override
    public boolean answerHeld(String call, String nodeId) {
        return call.equals("run-instances") ? liveResources(nodeId) > 0 : publishedNames(nodeId) > 0;
    }

    private synchronized AwsAnswerHold aws() {
        if (aws == null) {
            aws = new AwsAnswerHold();
        }
        return aws;
    }

    @Override
    public int namesPerNode() {
        return 1;
    }

    @Override
    public List<String> deliveryIds(String to) {
        return messageIds(cloud, to);
    }

    /** The Message-ID of every email GreenMail received for {@code to}, in order. */
    static List<String> messageIds(TestCloud cloud, String to) {
        List<String> ids = new ArrayList<>();
        for (MimeMessage mail : cloud.mailsTo(to)) {
            try {
                ids.add(mail.getMessageID());
            } catch (jakarta.mail.MessagingException e) {
                throw new IllegalStateException(e);
            }
        }
        return ids;
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
        if (aws != null) {
            aws.close();
        }
        cloud.close();
    }
}
