package cloud.edgehive.mail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Properties;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;

/**
 * Emails as MIME messages (RFC 5322, multipart/alternative text + HTML): sent by SMTP, or written as
 * {@code .eml} files by the outbox, which any mail client opens and tests read back with jakarta.mail.
 */
public class MailFiles {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS").withZone(ZoneOffset.UTC);

    private final Clock clock;

    public MailFiles(Clock clock) {
        this.clock = clock;
    }

    public byte[] eml(MailMessage mail) {
        try {
            MimeMessage message = mime(mail, Session.getInstance(new Properties()));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            message.writeTo(out);
            return out.toByteArray();
        } catch (MessagingException e) {
            throw new IllegalArgumentException("Cannot build email " + mail.messageId() + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The message as sent: multipart/alternative text + HTML, with the message's own Message-ID. */
    public MimeMessage mime(MailMessage mail, Session session) throws MessagingException {
        MimeMessage message = new MimeMessage(session) {
            @Override
            protected void updateMessageID() throws MessagingException {
                setHeader("Message-ID", mail.messageId());
            }
        };
        message.setFrom(new InternetAddress(mail.from()));
        message.setRecipients(jakarta.mail.Message.RecipientType.TO, InternetAddress.parse(mail.to()));
        message.setSubject(mail.subject(), StandardCharsets.UTF_8.name());
        message.setSentDate(java.util.Date.from(clock.instant()));
        MimeBodyPart text = new MimeBodyPart();
        text.setText(mail.text(), StandardCharsets.UTF_8.name(), "plain");
        MimeBodyPart html = new MimeBodyPart();
        html.setText(mail.html(), StandardCharsets.UTF_8.name(), "html");
        message.setContent(new MimeMultipart("alternative", text, html));
        message.saveChanges();
        return message;
    }

    /** A sortable, unique name: time, then the message id (node and kind) made file-safe. */
    public String fileName(MailMessage mail) {
        String id = mail.messageId() == null ? "mail" : mail.messageId().replaceAll("[<>]", "").replaceAll("[^A-Za-z0-9_.-]", "_");
        return STAMP.format(clock.instant()) + "-" + id + ".eml";
    }
}
