package cloud.edgehive.pipeline;

import java.time.Duration;

/**
 * A provider could not do the work now (5xx, 429, network): transient, so the step retries. A
 * {@code retryAfter} (the provider's own Retry-After) sets the next redelivery's delay.
 */
public class ProviderUnavailable extends RuntimeException {

    private final String provider;
    private final transient Duration retryAfter;

    public ProviderUnavailable(String provider, String message, Duration retryAfter) {
        this(provider, message, retryAfter, null);
    }

    public ProviderUnavailable(String provider, String message, Duration retryAfter, Throwable cause) {
        super(provider + ": " + message, cause);
        this.provider = provider;
        this.retryAfter = retryAfter;
    }

    public String provider() {
        return provider;
    }

    /** Null when the provider did not say. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
