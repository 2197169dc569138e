package cloud.edgehive;

import java.net.URI;
import java.util.function.Supplier;

import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.client.builder.SdkSyncClientBuilder;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;

/** Region, endpoint override and HTTP client, the same for every AWS client. */
final class AwsClients {

    private AwsClients() {
    }

    /**
     * A client built the first time it is used, then shared. Building one loads and configures a large
     * part of the SDK (about a second of start-up each on a small machine), and a service whose provider
     * is not AWS, or that has nothing to launch yet, does not need it to answer health.
     */
    static <C> Supplier<C> lazy(Supplier<C> build) {
        return new Supplier<>() {
            private volatile C client;

            @Override
            public C get() {
                C built = client;
                if (built == null) {
                    synchronized (this) {
                        built = client;
                        if (built == null) {
                            built = build.get();
                            client = built;
                        }
                    }
                }
                return built;
            }
        };
    }

    static <B extends AwsClientBuilder<B, C>, C> B configure(B builder, Settings settings, String service) {
        builder.region(Region.of(settings.text("aws.region")));
        settings.optional("aws." + service + ".endpoint").or(() -> settings.optional("aws.endpoint"))
                .ifPresent(endpoint -> builder.endpointOverride(URI.create(endpoint)));
        if (builder instanceof SdkSyncClientBuilder<?, ?> sync) {
            sync.httpClientBuilder(ApacheHttpClient.builder().maxConnections(settings.integer("aws.max-connections")));
        }
        return builder;
    }
}
