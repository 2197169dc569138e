package cloud.edgehive;

import java.net.URI;

import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.client.builder.SdkSyncClientBuilder;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;

/** Region, endpoint override and HTTP client, the same for every AWS client. */
final class AwsClients {

    private AwsClients() {
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
