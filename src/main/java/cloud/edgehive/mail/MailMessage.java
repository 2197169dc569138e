package cloud.edgehive.mail;

/** One rendered email. The message id derives from the node and kind, so a resend is recognisable. */
public record MailMessage(String to, String from, String subject, String html, String text, String messageId) {

    /** The key a provider dedupes retried sends on: the message id (kind and node) without its brackets. */
    public String idempotencyKey() {
        return messageId == null ? null : messageId.replaceAll("[<>]", "");
    }
}
