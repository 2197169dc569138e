package cloud.edgehive;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cloud.edgehive.hooks.LambdaHooks;
import cloud.edgehive.mail.ResendMail;
import cloud.edgehive.store.NodeStore;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.services.lambda.LambdaClient;

/**
 * The Lambda hooks (routes/hooks.camel.yaml): which function each point calls, and the Lambda client
 * the aws2-lambda endpoint uses. The client does not retry by itself: a retried Invoke runs the
 * function again, so only the step's own redelivery (counted, backed off, dead-lettered) does.
 */
final class HooksWiring {

    private static final Logger LOG = LoggerFactory.getLogger(HooksWiring.class);

    private HooksWiring() {
    }

    static void wire(CamelContext context, Settings settings, NodeStore nodes) {
        Map<String, String> functions = new LinkedHashMap<>();
        for (String point : LambdaHooks.POINTS) {
            settings.optional("hooks." + point + ".function").ifPresent(function -> functions.put(point, function));
        }
        java.time.Duration timeout = java.time.Duration.ofMillis(settings.number("hooks.timeout-ms", 30_000));
        LambdaClient lambda = ServiceBeans.aws(LambdaClient.builder(), settings, "lambda")
                .overrideConfiguration(c -> c.apiCallTimeout(timeout).retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
        context.getRegistry().bind("lambdaClient", lambda);
        context.getRegistry().bind("lambdaHooks", new LambdaHooks(functions, nodes));
        settings.optional("mail.resend.api-key").ifPresent(key -> context.getRegistry().bind("resendMail", new ResendMail(
                new ResendMail.Config(java.net.URI.create(settings.text("mail.resend.base-url", "https://api.resend.com")), key,
                        java.time.Duration.ofMillis(settings.number("mail.resend.timeout-ms", 10_000))), java.time.Clock.systemUTC())));
        if (!functions.isEmpty()) {
            LOG.info("Lambda hooks: {}", functions);
        }
    }
}
