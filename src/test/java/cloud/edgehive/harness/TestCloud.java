package cloud.edgehive.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

/**
 * The emulated world one test class runs in: an empty moto account with the nodes' hosted zone, and
 * an SMTP server (GreenMail) in this JVM. {@link #config()} points the service at both.
 */
public final class TestCloud implements AutoCloseable {

    public static final String ZONE = "nodes.test.example";

    private final GreenMail smtp;
    private final String zoneId;

    private TestCloud(GreenMail smtp, String zoneId) {
        this.smtp = smtp;
        this.zoneId = zoneId;
    }

    /** Resets moto, creates the hosted zone and starts an SMTP server on a free port. */
    public static TestCloud fresh(String name) {
        Emulators.resetAws();
        GreenMail smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        String zoneId = RunningService.route53().createHostedZone(b -> b.name(ZONE).callerReference(name + "-" + System.nanoTime()))
                .hostedZone().id();
        return new TestCloud(smtp, zoneId);
    }

    /** The service's settings for this world; callers may change them before starting it. */
    public Map<String, String> config() {
        return RunningService.defaults(smtp.getSmtp().getPort(), zoneId);
    }

    public GreenMail smtp() {
        return smtp;
    }

    public String zoneId() {
        return zoneId;
    }

    /** Emails received for {@code to} whose subject contains {@code subjectPart} (empty: all). */
    public List<MimeMessage> mailsTo(String to, String subjectPart) {
        List<MimeMessage> found = new ArrayList<>();
        try {
            for (MimeMessage m : smtp.getReceivedMessages()) {
                if (m.getAllRecipients()[0].toString().equals(to) && m.getSubject().contains(subjectPart)) {
                    found.add(m);
                }
            }
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
        return found;
    }

    public List<MimeMessage> mailsTo(String to) {
        return mailsTo(to, "");
    }

    /** How long no further email must arrive before a count is final (a late duplicate shows up within it). */
    public static final java.time.Duration MAIL_SETTLE = java.time.Duration.ofMillis(1500);

    /**
     * The emails for {@code to} whose subject contains {@code subjectPart} (a node's name: one node's
     * emails), counted once {@code expected} have arrived and then {@link #MAIL_SETTLE} passed with no
     * other email arriving at the server, so a duplicate sent late is counted too.
     */
    public List<MimeMessage> settledMailsTo(String to, String subjectPart, int expected) {
        RunningService.await(java.time.Duration.ofSeconds(30), () -> mailsTo(to, subjectPart).size() >= expected,
                () -> mailsTo(to, subjectPart).size() + " of " + expected + " emails to " + to + " (" + subjectPart + ")");
        int seen;
        do {
            seen = smtp.getReceivedMessages().length;
        } while (smtp.waitForIncomingEmail(MAIL_SETTLE.toMillis(), seen + 1));
        return mailsTo(to, subjectPart);
    }

    /** An AMI moto ships, for tests that launch an instance by hand. */
    public static String anyImage() {
        return RunningService.ec2().describeImages(b -> b.owners("amazon")).images().get(0).imageId();
    }

    /** The task definition family and container the ECS provider's settings name (ecs.task-definition, ecs.container-name). */
    public static final String ECS_TASK_FAMILY = "edgehive-node";
    public static final String ECS_CONTAINER = "node";

    /** A shared container host: an EC2 instance registered in an ECS cluster, with its address. */
    public record EcsHost(String region, String cluster, String instanceId, String publicIp, String containerInstanceArn) {
    }

    /**
     * An ECS cluster in {@code region} with one registered host (an untagged EC2 instance, so it is no
     * node's) and the node task definition. Tasks are pinned at their status: moto otherwise moves
     * a task one status further on every DescribeTasks until it is STOPPED. (The pin survives
     * {@code /moto-api/reset}, so it is set again here rather than relied on.)
     */
    public static EcsHost ecsHost(String region, String cluster) {
        Emulators.post(Emulators.moto().url() + "/moto-api/state-manager/set-transition",
                "{\"model_name\":\"ecs::task\",\"transition\":{\"progression\":\"manual\",\"times\":1000000}}");
        var ec2 = RunningService.ec2(region);
        var ecs = RunningService.ecs(region);
        String image = ec2.describeImages(b -> b.owners("amazon")).images().get(0).imageId();
        var instance = ec2.runInstances(b -> b.imageId(image).instanceType("t4g.medium").minCount(1).maxCount(1)).instances().get(0);
        ecs.createCluster(b -> b.clusterName(cluster));
        String identity = "{\"instanceId\":\"" + instance.instanceId() + "\"}";
        String containerInstance = ecs.registerContainerInstance(b -> b.cluster(cluster).instanceIdentityDocument(identity))
                .containerInstance().containerInstanceArn();
        ecs.registerTaskDefinition(b -> b.family(ECS_TASK_FAMILY).networkMode("bridge").containerDefinitions(c -> c
                .name(ECS_CONTAINER).image("ghcr.io/edge-hive/node:latest").memory(128).essential(true)
                .portMappings(p -> p.containerPort(8080).hostPort(0))));
        String ip = ec2.describeInstances(b -> b.instanceIds(instance.instanceId())).reservations().get(0).instances().get(0)
                .publicIpAddress();
        return new EcsHost(region, cluster, instance.instanceId(), ip, containerInstance);
    }

    /** Settings for nodes as ECS tasks on {@link #ecsHost} hosts, reached through sslip.io at their slot port. */
    public static Map<String, String> ecsConfig(String cluster) {
        return Map.of(
                "compute.provider", "ecs",
                "access.provider", "sslip",
                "access.url-scheme", "http",
                "ecs.cluster", cluster,
                "ecs.task-definition", ECS_TASK_FAMILY,
                "ecs.container-name", ECS_CONTAINER);
    }

    @Override
    public void close() {
        smtp.stop();
    }
}
