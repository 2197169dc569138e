package cloud.edgehive;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cloud.edgehive.hooks.LambdaHooks;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.services.lambda.LambdaClient;

/**
 * The Lambda hooks (routes/hooks.camel.yaml): which function each point calls, and the Lambda client
 * the aws2-lambda endpoint uses. The client does not retry by itself: a retried Invoke runs the
 * function again, so only the step's own redelivery (counted, backed off, dead-lettered) does.
 */
final class HookBeans {

    private static final Logger LOG = LoggerFactory.getLogger(HookBeans.class);

    private HookBeans() {
    }

    static void bind(Wiring w, StoreBeans.Store store) {
        Settings s = w.settings();
        Map<String, String> functions = new LinkedHashMap<>();
        for (String point : LambdaHooks.POINTS) {
            s.optional("hooks." + point + ".function").ifPresent(function -> functions.put(point, function));
        }
        Duration timeout = Duration.ofMillis(s.number("hooks.timeout-ms"));
        // Built on the first lookup by name (the first hook call), not at start-up: most deployments set
        // no hook, and building a client loads about a hundred Lambda classes and a second of SDK set-up.
        // Bound as an Object so that Camel's autowiring by type, which runs when the route's aws2-lambda
        // step starts, does not find (and build) it; the route names it (#lambdaClient).
        w.context().getRegistry().bind("lambdaClient", Object.class, () -> AwsClients.configure(LambdaClient.builder(), s, "lambda")
                .overrideConfiguration(c -> c.apiCallTimeout(timeout).retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build());
        w.bind("lambdaHooks", new LambdaHooks(functions, store.nodes(), w.context().createProducerTemplate()));
        if (!functions.isEmpty()) {
            LOG.info("Lambda hooks: {}", functions);
        }
    }
}
