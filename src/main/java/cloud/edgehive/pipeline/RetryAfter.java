package cloud.edgehive.pipeline;

import java.time.Duration;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Makes a step's next redelivery wait as long as the provider asked ({@link ProviderUnavailable#retryAfter},
 * from a 429's {@code Retry-After}) instead of the backoff's own delay. Runs when an exception occurs
 * (the routes' {@code onExceptionOccurredRef}), before Camel computes the delay: Camel takes a
 * {@code CamelRedeliveryDelay} header over its policy, so the header is set for a provider that
 * said how long, and removed otherwise (the next failure may be another kind).
 */
public class RetryAfter implements Processor {

    @Override
    public void process(Exchange exchange) {
        Duration wait = requested(exchange.getException() != null ? exchange.getException()
                : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class));
        if (wait == null) {
            exchange.getIn().removeHeader(Exchange.REDELIVERY_DELAY);
        } else {
            exchange.getIn().setHeader(Exchange.REDELIVERY_DELAY, wait.toMillis());
        }
    }

    static Duration requested(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ProviderUnavailable unavailable) {
                return unavailable.retryAfter();
            }
        }
        return null;
    }
}
