package cloud.edgehive.mail;

/** One rendered email. The message id derives from the node and kind, so a resend is recognisable. */
public record MailMessage(String to, String from, String subject, String html, String text, String messageId) {
}
