package cloud.edgehive;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.UUID;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cloud.edgehive.billing.BillingRequests;
import cloud.edgehive.billing.CheckoutSessions;
import cloud.edgehive.billing.Dunning;
import cloud.edgehive.billing.Plans;
import cloud.edgehive.billing.StripeBilling;
import cloud.edgehive.billing.SubscriptionEvents;
import cloud.edgehive.billing.StripeWebhook;
import cloud.edgehive.compute.ComputeProvider;
import cloud.edgehive.compute.Ec2Compute;
import cloud.edgehive.compute.UserData;
import cloud.edgehive.dns.DnsProvider;
import cloud.edgehive.dns.Route53Dns;
import cloud.edgehive.dns.SslipDns;
import cloud.edgehive.mail.NodeMail;
import cloud.edgehive.pipeline.Compensation;
import cloud.edgehive.pipeline.Faults;
import cloud.edgehive.pipeline.ProvisioningSteps;
import cloud.edgehive.problem.Problems;
import cloud.edgehive.store.DeadLetterStore;
import cloud.edgehive.store.EventStore;
import cloud.edgehive.store.NodeStore;
import cloud.edgehive.store.SlotAllocator;
import cloud.edgehive.store.SubscriptionStore;
import cloud.edgehive.store.Tables;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.route53.Route53Client;

/**
 * Wires the beans the routes call, choosing each provider (compute, DNS) from configuration.
 * Nothing here has behaviour of its own.
 */
public class ServiceBeans implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceBeans.class);

    @Override
    public void configure(CamelContext context) {
        Settings settings = new Settings(context);
        Registry registry = context.getRegistry();
        Clock clock = registry.findSingleByType(Clock.class) != null ? registry.findSingleByType(Clock.class) : Clock.systemUTC();
        String owner = settings.text("service.instance-id", hostName() + "-" + UUID.randomUUID().toString().substring(0, 8));

        DynamoDbClient dynamo = aws(DynamoDbClient.builder(), settings, "dynamodb").build();
        Tables tables = new Tables(settings.text("store.table-prefix", "edgehive-"));
        if (settings.flag("store.create-tables", true)) {
            tables.ensure(dynamo);
        }
        NodeStore nodes = new NodeStore(dynamo, tables, clock, owner, settings.seconds("provisioning.lease-seconds", 300));
        settings.optional("faults.pause-after").ifPresent(step -> {
            LOG.warn("Fault injection on: workers stop after recording {}", step);
            nodes.afterWrite(new cloud.edgehive.pipeline.PauseAfterStep(step));
        });
        SlotAllocator slots = new SlotAllocator(dynamo, tables, nodes, settings.text("slots.pool", "default"),
                settings.integer("slots.base", 3000));
        EventStore events = new EventStore(dynamo, tables, clock, owner, settings.seconds("provisioning.lease-seconds", 300),
                java.time.Duration.ofDays(settings.integer("store.event-retention-days", 30)));
        DeadLetterStore deadLetters = new DeadLetterStore(dynamo, tables, clock);

        ComputeProvider compute = compute(settings, registry);
        DnsProvider dns = dns(settings, slots);
        NodeMail mail = new NodeMail(Path.of(settings.text("mail.templates-dir", "templates")),
                settings.required("mail.from"));

        registry.bind("clock", clock);
        registry.bind("dynamo", dynamo);
        registry.bind("tables", tables);
        registry.bind("nodeStore", nodes);
        registry.bind("slotAllocator", slots);
        registry.bind("eventStore", events);
        registry.bind("deadLetters", deadLetters);
        registry.bind("compute", compute);
        registry.bind("dns", dns);
        registry.bind("nodeMail", mail);
        Faults faults = new Faults();
        registry.bind("faults", faults);
        // One breaker per provider, shared by every route that calls it; only transient faults count,
        // so an outage opens it but a missing hosted zone or a still-starting instance does not.
        io.github.resilience4j.circuitbreaker.CircuitBreakerConfig breaker = io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.custom()
                .failureRateThreshold(settings.integer("breaker.failure-rate-percent", 50))
                .minimumNumberOfCalls(settings.integer("breaker.minimum-calls", 10))
                .slidingWindowSize(settings.integer("breaker.window-size", 20))
                .waitDurationInOpenState(settings.seconds("breaker.open-seconds", 30))
                .permittedNumberOfCallsInHalfOpenState(settings.integer("breaker.half-open-calls", 3))
                .recordException(faults::isTransient)
                .build();
        for (String provider : java.util.List.of("ec2", "compute", "dns", "mail")) {
            registry.bind(provider + "Breaker", io.github.resilience4j.circuitbreaker.CircuitBreaker.of(provider, breaker));
        }
        registry.bind("problems", new Problems());
        registry.bind("stripeWebhook", new StripeWebhook(settings.required("stripe.webhook-secret"),
                settings.number("stripe.webhook-tolerance-seconds", 300), settings.integer("stripe.webhook-max-bytes", 1_048_576)));
        registry.bind("checkoutSessions", new CheckoutSessions(nodes, new CheckoutSessions.Defaults(
                settings.text("plans.default", "pro"), settings.text("aws.region", "us-east-1"),
                settings.text("compute.default-instance-type", "t4g.small"), settings.integer("compute.default-storage-gb", 10))));
        registry.bind("provisioningSteps", new ProvisioningSteps(nodes, compute, dns, mail, clock,
                settings.seconds("compute.await-timeout-seconds", 300)));
        registry.bind("tokenVerifier", new cloud.edgehive.auth.TokenVerifier(new cloud.edgehive.auth.TokenVerifier.Config(
                settings.optional("auth.jwt.secret").orElse(null), settings.optional("auth.jwt.jwks-url").orElse(null),
                settings.required("auth.jwt.issuer"), settings.required("auth.jwt.audience"),
                settings.text("auth.jwt.admin-role", "admin"), settings.text("auth.jwt.role-claim", "roles"),
                settings.seconds("auth.jwt.max-lifetime-seconds", 900)), clock));
        registry.bind("lifecycle", new cloud.edgehive.pipeline.Lifecycle(nodes, slots, compute, dns, mail, deadLetters));
        registry.bind("deadLetterAdmin", new cloud.edgehive.admin.DeadLetterAdmin(deadLetters, nodes, events,
                context.createProducerTemplate(), clock));
        registry.bind("eventDeadLetters", new cloud.edgehive.pipeline.EventDeadLetters(events, deadLetters));
        Compensation compensation = new Compensation(nodes, slots, compute, dns, deadLetters);
        registry.bind("compensation", compensation);
        long stuckDefault = settings.number("reconciler.stuck-after-seconds", 900);
        registry.bind("reconciler", new cloud.edgehive.pipeline.Reconciler(nodes, compute, compensation, context, clock,
                new cloud.edgehive.pipeline.Reconciler.Config(
                        state -> java.time.Duration.ofSeconds(settings.number("reconciler.stuck-after-seconds." + state.name().toLowerCase(),
                                stuckDefault)),
                        settings.integer("reconciler.max-resumes", 3),
                        settings.flag("reconciler.terminate-orphans", false),
                        settings.integer("reconciler.batch-size", 100))));
        billing(settings, registry, clock, owner, dynamo, tables, nodes, mail);
        cloud.edgehive.api.OpenApiDocument openApi = new cloud.edgehive.api.OpenApiDocument();
        openApi.setCamelContext(context);
        registry.bind("openApiDocument", openApi);
        registry.bind("nodeViews", new cloud.edgehive.api.NodeViews());
        registry.bind("nodeAccess", new cloud.edgehive.api.NodeAccess(nodes));
        registry.bind("usageMeter", new cloud.edgehive.api.UsageMeter(nodes, new cloud.edgehive.api.PlanLimits(settings::optional),
                clock, settings.text("plans.default", "pro")));
        registry.bind("adminProvisioning", new cloud.edgehive.api.AdminProvisioning(nodes, new cloud.edgehive.api.AdminProvisioning.Defaults(
                settings.text("plans.default", "pro"), settings.text("aws.region", "us-east-1"),
                settings.text("compute.default-instance-type", "t4g.small"), settings.integer("compute.default-storage-gb", 10),
                settings.integer("api.provision.max-node-count", 10))));
        LOG.info("Edge Hive Cloud wired: worker {}, compute {}, dns {}, mail {}", owner,
                settings.text("compute.provider", "ec2"), settings.text("dns.provider", "route53"), settings.text("mail.provider", "smtp"));
    }

    /** Plans, Stripe sessions, subscription events and the dunning ladder. */
    private void billing(Settings settings, Registry registry, Clock clock, String owner, DynamoDbClient dynamo, Tables tables,
                         NodeStore nodes, NodeMail mail) {
        Plans plans = Plans.from(settings);
        SubscriptionStore subscriptions = new SubscriptionStore(dynamo, tables, clock, owner,
                settings.seconds("provisioning.lease-seconds", 300));
        StripeBilling stripe = new StripeBilling(settings.optional("stripe.api-key").orElse(null),
                settings.optional("stripe.api-base").orElse(null), settings.integer("stripe.max-network-retries", 2), clock);
        registry.bind("plans", plans);
        registry.bind("subscriptionStore", subscriptions);
        registry.bind("stripeBilling", stripe);
        registry.bind("billingRequests", new BillingRequests(plans, nodes, subscriptions, stripe.liveMode()));
        registry.bind("subscriptionEvents", new SubscriptionEvents(plans, subscriptions, settings.text("plans.default", "pro")));
        registry.bind("dunning", new Dunning(subscriptions, nodes, plans, mail, new Dunning.Ladder(
                days(settings, "billing.suspend-after-days", 3), days(settings, "billing.terminate-after-days", 14),
                days(settings, "billing.cancel-grace-days", 7), days(settings, "billing.over-limit-grace-days", 7)), clock));
        LOG.info("Billing wired: plans {}, Stripe {} mode", plans.names(), stripe.liveMode() ? "live" : "test");
    }

    private static java.time.Duration days(Settings settings, String key, int fallback) {
        return java.time.Duration.ofDays(settings.integer(key, fallback));
    }

    private ComputeProvider compute(Settings settings, Registry registry) {
        String provider = settings.text("compute.provider", "ec2");
        return switch (provider) {
            case "ec2" -> {
                Ec2Client ec2 = aws(Ec2Client.builder(), settings, "ec2").build();
                registry.bind("ec2Client", ec2);
                UserData userData = new UserData(Path.of(settings.text("ec2.user-data-template", "cloud/user-data.sh")),
                        settings.required("node.install-url"), settings.required("node.token-secret"),
                        settings.optional("cloudflare.tunnel-token").orElse(null));
                yield new Ec2Compute(ec2, userData, new Ec2Compute.Launch(
                        settings.optional("ec2.ami-id").orElse(null),
                        settings.text("ec2.ami-name-pattern", "al2023-ami-2023*-arm64"),
                        settings.text("ec2.ami-owner", "amazon"),
                        settings.optional("ec2.subnet-id").orElse(null),
                        settings.list("ec2.security-group-ids"),
                        settings.optional("ec2.key-name").orElse(null),
                        settings.optional("ec2.instance-profile").orElse(null)));
            }
            default -> throw new IllegalStateException("Unknown compute.provider '" + provider + "' (supported: ec2)");
        };
    }

    private DnsProvider dns(Settings settings, SlotAllocator slots) {
        String provider = settings.text("dns.provider", "route53");
        String scheme = settings.text("access.url-scheme", "https");
        return switch (provider) {
            case "route53" -> new Route53Dns(
                    aws(Route53Client.builder(), settings, "route53").region(Region.AWS_GLOBAL).build(),
                    settings.required("route53.hosted-zone-id"), settings.required("dns.zone"),
                    settings.number("dns.ttl", 60), scheme);
            case "sslip" -> new SslipDns(settings.text("sslip.domain", "sslip.io"), scheme,
                    settings.flag("sslip.with-port", false), slots::portOf);
            default -> throw new IllegalStateException("Unknown dns.provider '" + provider + "' (supported: route53, sslip)");
        };
    }

    /** Region, endpoint override and HTTP client, the same for every AWS client. */
    static <B extends AwsClientBuilder<B, C>, C> B aws(B builder, Settings settings, String service) {
        builder.region(Region.of(settings.text("aws.region", "us-east-1")));
        settings.optional("aws." + service + ".endpoint").or(() -> settings.optional("aws.endpoint"))
                .ifPresent(endpoint -> builder.endpointOverride(URI.create(endpoint)));
        if (builder instanceof software.amazon.awssdk.core.client.builder.SdkSyncClientBuilder<?, ?> sync) {
            sync.httpClientBuilder(ApacheHttpClient.builder().maxConnections(settings.integer("aws.max-connections", 64)));
        }
        return builder;
    }

    private static String hostName() {
        String jvm = ManagementFactory.getRuntimeMXBean().getName();
        return jvm.replace('@', '-');
    }
}
