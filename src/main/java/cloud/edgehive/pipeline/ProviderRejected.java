package cloud.edgehive.pipeline;

/**
 * A provider refused the request for good (a 4xx other than 429, or an answer that says it failed):
 * retrying cannot help. The code and message are the provider's, for the dead letter and operators;
 * users see a plain reason instead.
 */
public class ProviderRejected extends RuntimeException {

    private final String provider;
    private final String code;

    public ProviderRejected(String provider, String code, String message) {
        super(provider + " rejected the request (" + code + "): " + message);
        this.provider = provider;
        this.code = code;
    }

    public String provider() {
        return provider;
    }

    public String code() {
        return code;
    }
}
