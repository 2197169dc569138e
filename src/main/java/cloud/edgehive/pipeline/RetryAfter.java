package cloud.edgehive.pipeline;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Honours a provider's {@code Retry-After}: when the failure is a {@link ProviderUnavailable} that
 * names a wait, the next redelivery waits that long instead of the backoff's delay. Called by the
 * error handling ({@code onExceptionOccurredRef}) before the redelivery delay is decided.
 */
public class RetryAfter implements Processor {

    @Override
    public void process(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (failure == null) {
            failure = exchange.getException();
        }
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ProviderUnavailable unavailable && unavailable.retryAfter() != null) {
                exchange.getIn().setHeader(Exchange.REDELIVERY_DELAY, unavailable.retryAfter().toMillis());
                return;
            }
        }
        exchange.getIn().removeHeader(Exchange.REDELIVERY_DELAY);
    }
}
