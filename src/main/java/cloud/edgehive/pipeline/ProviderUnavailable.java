package cloud.edgehive.pipeline;

import java.time.Duration;

/**
 * A provider could not answer now (5xx, 429, a network fault): worth retrying. {@code retryAfter},
 * when the provider named one, is the least time to wait before the next attempt.
 */
public class ProviderUnavailable extends RuntimeException {

    private final String provider;
    private final Duration retryAfter;

    public ProviderUnavailable(String provider, String message, Duration retryAfter) {
        super(provider + ": " + message);
        this.provider = provider;
        this.retryAfter = retryAfter;
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
