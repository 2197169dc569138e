package cloud.edgehive.mail;

/** How email leaves (SMTP, an outbox folder, Resend), chosen by {@code mail.provider} from the provider catalog. */
public interface MailSender {

    /** The catalog name: "smtp", "outbox", "resend". */
    String name();

    /** Sends one message; the key (node id + email kind) makes a retried send a no-op where the provider allows. */
    void send(MailMessage message, String idempotencyKey);
}
