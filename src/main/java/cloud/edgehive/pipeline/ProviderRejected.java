package cloud.edgehive.pipeline;

/**
 * A provider refused the request for good (a 4xx other than throttling): retrying cannot help, so the
 * step fails at once. The code and message go to the dead letter, never to what users see.
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
