package cloud.edgehive.bench.webhook;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.apache.camel.BindToRegistry;
import org.apache.camel.Body;
import org.apache.camel.Configuration;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.apache.camel.PropertyInject;
import org.apache.camel.main.Main;

import com.stripe.exception.SignatureVerificationException;
import com.stripe.model.Event;
import com.stripe.net.Webhook;

import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/** The webhook baseline: stripe-java verification and one conditional PutItem per event. */
@Configuration
public class BareWebhook {

    @PropertyInject("aws.endpoint")
    String endpoint;
    @PropertyInject("aws.region")
    String region;
    @PropertyInject("stripe.webhook-secret")
    String secret;
    @PropertyInject("bench.table")
    String table;

    public static void main(String[] args) throws Exception {
        new Main(BareWebhook.class).run(args);
    }

    @BindToRegistry("bareWebhook")
    public Recorder recorder() {
        DynamoDbClient dynamo = DynamoDbClient.builder().region(Region.of(region)).endpointOverride(URI.create(endpoint))
                .httpClientBuilder(ApacheHttpClient.builder().maxConnections(64)).build();
        return new Recorder(dynamo, table, secret);
    }

    public static final class Recorder {
        private final DynamoDbClient dynamo;
        private final String table;
        private final String secret;

        Recorder(DynamoDbClient dynamo, String table, String secret) {
            this.dynamo = dynamo;
            this.table = table;
            this.secret = secret;
        }

        public String record(@Body byte[] raw, @Header("Stripe-Signature") String signature, Exchange exchange) {
            Event event;
            try {
                event = Webhook.constructEvent(new String(raw, StandardCharsets.UTF_8), signature, secret);
            } catch (SignatureVerificationException e) {
                exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 400);
                return "{\"error\":\"invalid signature\"}";
            }
            boolean duplicate = false;
            try {
                dynamo.putItem(b -> b.tableName(table).item(Map.of("eventId", AttributeValue.fromS(event.getId()),
                        "payload", AttributeValue.fromS(new String(raw, StandardCharsets.UTF_8))))
                        .conditionExpression("attribute_not_exists(eventId)"));
            } catch (ConditionalCheckFailedException seen) {
                duplicate = true;
            }
            return "{\"received\":true,\"duplicate\":" + duplicate + "}";
        }
    }
}
