package cloud.edgehive.mail;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;

/** A mail sender behind its own circuit breaker ({@code mail-<name>}); see {@code ComputeBreaker}. */
public class MailBreaker implements MailSender {

    private final MailSender sender;
    private final CircuitBreaker breaker;

    public MailBreaker(MailSender sender, CircuitBreaker breaker) {
        this.sender = sender;
        this.breaker = breaker;
    }

    @Override
    public String name() {
        return sender.name();
    }

    @Override
    public void send(MailMessage message, String idempotencyKey) {
        breaker.executeRunnable(() -> sender.send(message, idempotencyKey));
    }
}
