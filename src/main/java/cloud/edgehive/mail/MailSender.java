package cloud.edgehive.mail;

/** One way of delivering email (smtp, outbox, resend), registered by name and chosen by mail.provider. */
public interface MailSender {

    String name();

    /** Sends one message; the key (node id + email kind) makes a retried send a no-op where the provider allows. */
    void send(MailMessage message, String idempotencyKey);
}
