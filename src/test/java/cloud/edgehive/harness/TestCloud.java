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

    @Override
    public void close() {
        smtp.stop();
    }
}
