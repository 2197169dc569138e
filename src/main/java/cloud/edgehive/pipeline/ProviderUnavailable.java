package cloud.edgehive.pipeline;

import java.time.Duration;

/**
 * A provider could not answer now (5xx, 429, a network fault): transient, so the step is retried.
 * A {@code retryAfter} the provider asked for becomes the next redelivery's delay.
 */
public class ProviderUnavailable extends RuntimeException {

    private final String provider;
    private final Duration retryAfter;

    public ProviderUnavailable(String provider, String message, Duration retryAfter) {
        super(provider + " unavailable: " + message);
        this.provider = provider;
        this.retryAfter = retryAfter;
    }

    public String provider() {
        return provider;
    }

    /** How long the provider asked us to wait, or null when it did not say. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
