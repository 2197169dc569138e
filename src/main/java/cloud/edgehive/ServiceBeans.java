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
import cloud.edgehive.compute.LocalCompute;
import cloud.edgehive.compute.UserData;
import cloud.edgehive.auth.LocalToken;
import cloud.edgehive.billing.LocalCheckout;
import cloud.edgehive.dns.DnsProvider;
import cloud.edgehive.dns.LocalDns;
import cloud.edgehive.local.EmbeddedDynamo;
import cloud.edgehive.local.LocalNodes;
import cloud.edgehive.mail.MailFiles;
import cloud.edgehive.ops.ConfigurationHealthCheck;
import cloud.edgehive.ops.DynamoHealthCheck;
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
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
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
        cloud.edgehive.ops.StartupChecks.verify(context);
        Settings settings = new Settings(context);
        Registry registry = context.getRegistry();
        Clock clock = registry.findSingleByType(Clock.class) != null ? registry.findSingleByType(Clock.class) : Clock.systemUTC();
        String owner = settings.text("service.instance-id", hostName() + "-" + UUID.randomUUID().toString().substring(0, 8));

        DynamoDbClient dynamo = dynamo(context, settings);
        Tables tables = new Tables(settings.text("store.table-prefix", "edgehive-"));
        if (settings.flag("store.create-tables", true)) {
            tables.ensure(dynamo);
        }
        NodeStore nodes = new NodeStore(dynamo, tables, clock, owner, settings.seconds("provisioning.lease-seconds", 300));
        settings.optional("faults.pause-after").ifPresent(step -> {
            LOG.warn("Fault injection on: workers stop after recording {}", step);
            cloud.edgehive.pipeline.PauseAfterStep pause = new cloud.edgehive.pipeline.PauseAfterStep(step);
            nodes.afterWrite(pause);
            context.getManagementStrategy().addEventNotifier(pause.mailNotifier());
        });
        SlotAllocator slots = new SlotAllocator(dynamo, tables, nodes, settings.text("slots.pool", "default"),
                settings.integer("slots.base", 3000));
        EventStore events = new EventStore(dynamo, tables, clock, owner, settings.seconds("provisioning.lease-seconds", 300),
                java.time.Duration.ofDays(settings.integer("store.event-retention-days", 30)));
        DeadLetterStore deadLetters = new DeadLetterStore(dynamo, tables, clock, days(settings, "store.dead-letter-retention-days", 90));

        ComputeProvider compute = compute(settings, registry, slots);
        if (compute instanceof LocalCompute local) {
            local.recover(nodes::find);
        }
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
        cloud.edgehive.ops.SecurityWiring.configure(context, settings);
        cloud.edgehive.api.OpenApiDocument openApi = new cloud.edgehive.api.OpenApiDocument();
        openApi.setCamelContext(context);
        registry.bind("openApiDocument", openApi);
        registry.bind("nodeViews", new cloud.edgehive.api.NodeViews());
        registry.bind("nodeAccess", new cloud.edgehive.api.NodeAccess(nodes));
        registry.bind("usageMeter", new cloud.edgehive.api.UsageMeter(nodes, new cloud.edgehive.api.PlanLimits(settings::optional),
                clock, settings.text("plans.default", "pro")));
        registry.bind("adminProvisioning", new cloud.edgehive.api.AdminProvisioning(nodes, registry.findSingleByType(Plans.class), new cloud.edgehive.api.AdminProvisioning.Defaults(
                settings.text("plans.default", "pro"), settings.text("aws.region", "us-east-1"),
                settings.text("compute.default-instance-type", "t4g.small"), settings.integer("compute.default-storage-gb", 10),
                settings.integer("api.provision.max-node-count", 10))));
        bindLocalMode(settings, registry, clock, nodes);
        java.util.Map<String, java.util.List<String>> prices = new java.util.LinkedHashMap<>();
        settings.list("pricing.plans").forEach(plan -> prices.put(plan, settings.list("pricing." + plan)));
        registry.bind("priceTable", new cloud.edgehive.billing.PriceTable(settings.text("pricing.currency", "USD"),
                settings.integer("pricing.hours-per-month", 730), prices));
        bindHealthChecks(context, settings, dynamo, tables);
        cloud.edgehive.web.WebWiring.wire(context, settings);
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
        registry.bind("billingRequests", new BillingRequests(plans, nodes, subscriptions, stripe.liveMode(),
                returnOrigins(settings)));
        registry.bind("subscriptionEvents", new SubscriptionEvents(plans, subscriptions, settings.text("plans.default", "pro")));
        registry.bind("dunning", new Dunning(subscriptions, nodes, plans, mail, new Dunning.Ladder(
                days(settings, "billing.suspend-after-days", 3), days(settings, "billing.terminate-after-days", 14),
                days(settings, "billing.cancel-grace-days", 7), days(settings, "billing.over-limit-grace-days", 7)), clock));
        LOG.info("Billing wired: plans {}, Stripe {} mode", plans.names(), stripe.liveMode() ? "live" : "test");
    }

    /** The configured origins, and always the dashboard's own: its pages send buyers to Stripe and back. */
    private static java.util.List<String> returnOrigins(Settings settings) {
        java.util.List<String> origins = new java.util.ArrayList<>(settings.list("billing.return-url-origins"));
        settings.optional("web.base-url").ifPresent(origins::add);
        return origins;
    }

    private static java.time.Duration days(Settings settings, String key, int fallback) {
        return java.time.Duration.ofDays(settings.integer(key, fallback));
    }

    /**
     * The DynamoDB client: AWS (or aws.endpoint), or in local mode DynamoDB Local started in this
     * process with its data under local.data-dir and stopped with the service.
     */
    private static DynamoDbClient dynamo(CamelContext context, Settings settings) {
        if (!settings.flag("local.dynamodb.enabled", false)) {
            return aws(DynamoDbClient.builder(), settings, "dynamodb").build();
        }
        EmbeddedDynamo embedded = EmbeddedDynamo.start(localDir(settings).resolve("dynamodb"), settings.integer("local.dynamodb.port", 0));
        try {
            context.addService(embedded, true, true);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        // DynamoDB Local accepts any credentials; these never reach AWS.
        return aws(DynamoDbClient.builder(), settings, "dynamodb")
                .endpointOverride(embedded.endpoint())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .build();
    }

    /** Beans of the local-mode routes (local.camel.yaml, send-mail-outbox); idle unless those routes run. */
    private static void bindLocalMode(Settings settings, Registry registry, Clock clock, NodeStore nodes) {
        registry.bind("mailFiles", new MailFiles(clock));
        registry.bind("localNodes", new LocalNodes(nodes));
        registry.bind("localCheckout", new LocalCheckout(settings.required("stripe.webhook-secret"),
                settings.text("local.user-id", "local-user"), settings.list("pricing.plans"),
                Path.of(settings.text("mail.templates-dir", "templates")), clock));
        registry.bind("localToken", LocalToken.from(settings, clock));
    }

    /** Readiness checks beside Camel's own (context, routes): DynamoDB and the files the configuration names. */
    private static void bindHealthChecks(CamelContext context, Settings settings, DynamoDbClient dynamo, Tables tables) {
        Path templates = Path.of(settings.text("mail.templates-dir", "templates"));
        java.util.List<Path> readable = new java.util.ArrayList<>();
        for (String kind : java.util.List.of(ProvisioningSteps.READY_MAIL, cloud.edgehive.pipeline.Lifecycle.TERMINATED_MAIL)) {
            readable.add(templates.resolve(kind + ".html"));
            readable.add(templates.resolve(kind + ".txt"));
        }
        java.util.List<Path> writable = new java.util.ArrayList<>();
        String compute = settings.text("compute.provider", "ec2");
        String mail = settings.text("mail.provider", "smtp");
        if (compute.equals("ec2")) {
            readable.add(Path.of(settings.text("ec2.user-data-template", "cloud/user-data.sh")));
        }
        if (compute.equals("local")) {
            writable.add(localDir(settings).resolve("nodes"));
        }
        if (mail.equals("outbox")) {
            writable.add(Path.of(settings.text("mail.outbox-dir", "data/local/outbox")));
        }
        java.util.Map<String, String> providers = java.util.Map.of("compute", compute,
                "dns", settings.text("dns.provider", "route53"), "mail", mail);
        for (org.apache.camel.health.HealthCheck check : java.util.List.of(new DynamoHealthCheck(dynamo, tables),
                new ConfigurationHealthCheck(readable, writable, providers))) {
            context.getRegistry().bind(check.getId() + "-health-check", check);
        }
    }

    private static Path localDir(Settings settings) {
        return Path.of(settings.text("local.data-dir", "data/local"));
    }

    private ComputeProvider compute(Settings settings, Registry registry, SlotAllocator slots) {
        String provider = settings.text("compute.provider", "ec2");
        // The launch-ec2 route's endpoint is created at start-up whatever the provider, so the client
        // always exists; with another provider it is never called (and needs no credentials).
        Ec2Client ec2 = aws(Ec2Client.builder(), settings, "ec2").build();
        registry.bind("ec2Client", ec2);
        return switch (provider) {
            case "local" -> new LocalCompute(localDir(settings).resolve("nodes"),
                    settings.optional("local.node-command").orElse(null), slots::portOf);
            case "ec2" -> {
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
            default -> throw new IllegalStateException("Unknown compute.provider '" + provider + "' (supported: ec2, local)");
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
            case "local" -> new LocalDns(scheme, slots::portOf);
            default -> throw new IllegalStateException("Unknown dns.provider '" + provider + "' (supported: route53, sslip, local)");
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
