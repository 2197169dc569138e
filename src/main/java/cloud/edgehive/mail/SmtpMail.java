package cloud.edgehive.mail;

import java.util.Properties;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;

/**
 * Email through an SMTP server ({@code mail.smtp.*}). SMTP has no idempotency key: the message's
 * Message-ID (node and kind) lets a mail client recognise a resend, and the node records each email
 * it was sent so a resumed step does not send it again.
 */
public class SmtpMail implements MailSender {

    /** Settings from {@code mail.smtp.*}; username and password may be null. */
    public record Server(String scheme, String host, int port, boolean startTls, int timeoutMs, String username, String password) {
    }

    private final Server server;
    private final MailFiles mime;
    private final Session session;

    public SmtpMail(Server server, MailFiles mime) {
        this.server = server;
        this.mime = mime;
        String protocol = server.scheme();
        Properties p = new Properties();
        p.setProperty("mail.transport.protocol", protocol);
        p.setProperty("mail." + protocol + ".host", server.host());
        p.setProperty("mail." + protocol + ".port", String.valueOf(server.port()));
        p.setProperty("mail." + protocol + ".starttls.enable", String.valueOf(server.startTls()));
        p.setProperty("mail." + protocol + ".starttls.required", String.valueOf(server.startTls()));
        p.setProperty("mail." + protocol + ".connectiontimeout", String.valueOf(server.timeoutMs()));
        p.setProperty("mail." + protocol + ".timeout", String.valueOf(server.timeoutMs()));
        p.setProperty("mail." + protocol + ".writetimeout", String.valueOf(server.timeoutMs()));
        p.setProperty("mail." + protocol + ".auth", String.valueOf(server.username() != null));
        this.session = Session.getInstance(p);
    }

    @Override
    public String name() {
        return "smtp";
    }

    @Override
    public void send(MailMessage message, String idempotencyKey) {
        try {
            MimeMessage mail = mime.mime(message, session);
            try (Transport transport = session.getTransport(server.scheme())) {
                transport.connect(server.host(), server.port(), server.username(), server.password());
                transport.sendMessage(mail, mail.getAllRecipients());
            }
        } catch (MessagingException e) {
            // Faults classifies it: authentication or a refused address is permanent, the rest transient.
            throw new MailNotSent(message.messageId(), e);
        }
    }

    /** Carries the mail exception (for the fault classification) without the message's content. */
    public static class MailNotSent extends RuntimeException {
        MailNotSent(String messageId, MessagingException cause) {
            super("Email " + messageId + " not sent: " + cause.getMessage(), cause);
        }
    }
}
