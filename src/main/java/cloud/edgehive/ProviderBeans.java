package cloud.edgehive;

import java.nio.file.Path;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Supplier;

import cloud.edgehive.access.AccessBreaker;
import cloud.edgehive.access.NodeTunnels;
import cloud.edgehive.access.cloudflare.CloudflareApi;
import cloud.edgehive.access.cloudflare.CloudflareDns;
import cloud.edgehive.access.cloudflare.CloudflareRecords;
import cloud.edgehive.access.cloudflare.CloudflareTunnelAccess;
import cloud.edgehive.access.cloudflare.CloudflareTunnels;
import cloud.edgehive.auth.NodeTokens;
import cloud.edgehive.access.AccessProvider;
import cloud.edgehive.access.LocalDns;
import cloud.edgehive.access.Route53Dns;
import cloud.edgehive.access.SslipDns;
import cloud.edgehive.compute.ComputeBreaker;
import cloud.edgehive.compute.ComputeProvider;
import cloud.edgehive.compute.Ec2Compute;
import cloud.edgehive.compute.EcsCompute;
import cloud.edgehive.compute.RegionalClients;
import cloud.edgehive.compute.LocalCompute;
import cloud.edgehive.compute.UserData;
import cloud.edgehive.mail.MailBreaker;
import cloud.edgehive.mail.MailFiles;
import cloud.edgehive.mail.MailSender;
import cloud.edgehive.mail.OutboxMail;
import cloud.edgehive.mail.ResendMail;
import cloud.edgehive.mail.SmtpMail;
import cloud.edgehive.pipeline.Faults;
import cloud.edgehive.store.SlotAllocator;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.route53.Route53Client;

/**
 * The providers: the catalog of every one that ships, the configured one of each kind, each behind
 * its own circuit breaker, bound as {@code compute}, {@code access} and {@code mailSender}.
 */
final class ProviderBeans {

    private static final Logger LOG = LoggerFactory.getLogger(ProviderBeans.class);

    /** The chosen providers as the pipeline calls them (through their breakers), and as they are (for checks). */
    record Providers(ComputeProvider compute, AccessProvider access, MailSender mail, List<Object> chosen) {
    }

    private ProviderBeans() {
    }

    /**
     * Every provider that ships, by kind and name. Adding one is one line here. {@code access} is the
     * chosen access provider, which compute providers may ask about (e.g. whether nodes run a tunnel).
     */
    static ProviderCatalog catalog(Wiring w, SlotAllocator slots, NodeTokens nodeTokens, Supplier<AccessProvider> access) {
        ProviderCatalog catalog = new ProviderCatalog();
        catalog.compute()
                .add("ec2", s -> ec2(s, nodeTokens, access.get()))
                .add("ecs", s -> ecs(s, slots))
                .add("local", s -> new LocalCompute(ServiceBeans.localDir(s).resolve("nodes"),
                        s.optional("local.node-command").orElse(null), slots::portOf));
        catalog.access()
                .add("route53", s -> new Route53Dns(AwsClients.lazy(() -> AwsClients.configure(Route53Client.builder(), s, "route53").region(Region.AWS_GLOBAL).build()),
                        s.required("route53.hosted-zone-id"), s.text("dns.zone"), s.number("dns.ttl"), s.text("access.url-scheme")))
                .add("sslip", s -> new SslipDns(s.text("sslip.domain"), s.text("access.url-scheme")))
                .add("local", s -> new LocalDns(s.text("access.url-scheme")))
                .add(CloudflareDns.NAME, s -> new CloudflareDns(new CloudflareRecords(cloudflare(s), s.required("cloudflare.zone-id")),
                        new CloudflareDns.Config(s.text("dns.zone"), s.flag("cloudflare.proxied"), s.integer("dns.ttl"),
                                s.text("cloudflare.name-prefix"), s.text("access.url-scheme"))))
                .add(CloudflareTunnelAccess.NAME, s -> new CloudflareTunnelAccess(
                        new CloudflareTunnels(cloudflare(s), s.required("cloudflare.account-id")),
                        new CloudflareRecords(cloudflare(s), s.required("cloudflare.zone-id")),
                        new CloudflareTunnelAccess.Config(s.text("dns.zone"), s.text("cloudflare.tunnel.service"),
                                s.text("cloudflare.name-prefix"), s.text("access.url-scheme"))));
        catalog.mail()
                .add("smtp", s -> new SmtpMail(new SmtpMail.Server(s.text("mail.smtp.scheme"), s.text("mail.smtp.host"),
                        s.integer("mail.smtp.port"), s.flag("mail.smtp.starttls"), s.integer("mail.smtp.timeout-ms"),
                        s.optional("mail.smtp.username").orElse(null), s.optional("mail.smtp.password").orElse(null)),
                        new MailFiles(w.clock())))
                .add("outbox", s -> new OutboxMail(Path.of(s.text("mail.outbox-dir")), new MailFiles(w.clock())))
                .add("resend", s -> new ResendMail(new ResendMail.Config(java.net.URI.create(s.text("mail.resend.base-url")),
                        s.required("mail.resend.api-key"), java.time.Duration.ofMillis(s.number("mail.resend.timeout-ms"))), w.clock()));
        return catalog;
    }

    static Providers bind(Wiring w, StoreBeans.Store store) {
        Settings s = w.settings();
        NodeTokens nodeTokens = new NodeTokens(s.required("node.token-secret"));
        AccessProvider[] chosenAccess = new AccessProvider[1];
        ProviderCatalog catalog = catalog(w, store.slots(), nodeTokens, () -> chosenAccess[0]);
        AccessProvider access = catalog.access().chosen(s);
        chosenAccess[0] = access;
        ComputeProvider compute = catalog.compute().chosen(s);
        if (access instanceof NodeTunnels) {
            String cloudUrl = s.optional("node.cloud-url").orElse(s.text("web.base-url"));
            if (!cloudUrl.startsWith("https://")) {
                LOG.warn("Nodes fetch their tunnel token from {} (node.cloud-url, else web.base-url): give them an https address they can reach",
                        cloudUrl);
            }
        }
        MailSender mail = catalog.mail().chosen(s);
        if (compute instanceof LocalCompute local) {
            local.recover(store.nodes()::find);
        }
        Providers providers = new Providers(
                new ComputeBreaker(compute, breaker(w, "compute-" + compute.name())),
                new AccessBreaker(access, breaker(w, "access-" + access.name())),
                new MailBreaker(mail, breaker(w, "mail-" + mail.name())),
                List.of(compute, access, mail));
        w.bind("providerCatalog", catalog);
        w.bind("nodeTokens", nodeTokens);
        w.bind("compute", providers.compute());
        w.bind("access", providers.access());
        w.bind("mailSender", providers.mail());
        LOG.info("Providers: compute {}, access {}, mail {}", compute.name(), access.name(), mail.name());
        return providers;
    }

    /**
     * Nothing shared by two nodes goes into user-data: with a tunnel provider, the node fetches its own
     * tunnel token from this service with its node token (the node-agent endpoint).
     */
    private static ComputeProvider ec2(Settings s, NodeTokens nodeTokens, AccessProvider access) {
        UserData userData = new UserData(Path.of(s.text("ec2.user-data-template")), nodeTokens, new UserData.Options(
                s.required("node.install-url"), s.optional("node.cloud-url").orElse(s.text("web.base-url")),
                access instanceof NodeTunnels tunnels ? tunnels.tunnelClient() : "", s.text("cloudflare.cloudflared-version"),
                s.text("cloudflare.cloudflared-sha256-arm64", ""),
                s.text("cloudflare.cloudflared-sha256-amd64", "")));
        return new Ec2Compute(ec2Clients(s), userData, region -> new Ec2Compute.Launch(
                regional(s, "ec2", region, "ami-id").orElse(null),
                s.text("ec2.ami-name-pattern"),
                s.text("ec2.ami-owner"),
                regional(s, "ec2", region, "subnet-id").orElse(null),
                regional(s, "ec2", region, "security-group-ids").map(v -> List.of(v.split("\\s*,\\s*"))).orElse(List.of()),
                regional(s, "ec2", region, "key-name").orElse(null),
                s.optional("ec2.instance-profile").orElse(null)));
    }

    /** Nodes as ECS tasks on shared hosts, each region's cluster and task definition from ecs.<region>.* over ecs.*. */
    private static ComputeProvider ecs(Settings s, SlotAllocator slots) {
        RegionalClients<EcsClient> clients = new RegionalClients<>(
                region -> AwsClients.configure(EcsClient.builder(), s, "ecs").region(Region.of(region)).build(),
                s.text("aws.region"), regionsOnSale(s));
        return new EcsCompute(clients, ec2Clients(s), region -> new EcsCompute.Placement(
                regional(s, "ecs", region, "cluster").orElseThrow(),
                regional(s, "ecs", region, "task-definition").orElseThrow(),
                s.text("ecs.container-name")), slots::portOf);
    }

    /** One EC2 client per region, made when a node there first needs it. */
    private static RegionalClients<Ec2Client> ec2Clients(Settings s) {
        return new RegionalClients<>(region -> AwsClients.configure(Ec2Client.builder(), s, "ec2").region(Region.of(region)).build(),
                s.text("aws.region"), regionsOnSale(s));
    }

    /** A per-region setting ({@code <prefix>.<region>.<key>}), else the same key for every region. */
    private static java.util.Optional<String> regional(Settings s, String prefix, String region, String key) {
        return s.optional(prefix + "." + region + "." + key).or(() -> s.optional(prefix + "." + key));
    }

    /** Every region a plan offers: where nodes may run, so where the reconciler looks for them. */
    private static java.util.Set<String> regionsOnSale(Settings s) {
        java.util.Set<String> regions = new java.util.TreeSet<>();
        s.list("plans.names").forEach(plan -> regions.addAll(s.list("plans." + plan + ".regions")));
        return regions;
    }

    /** Cloudflare's API with the operator's API token (environment or secret store; never logged). */
    private static CloudflareApi cloudflare(Settings s) {
        return new CloudflareApi(s.text("cloudflare.api-base"), s.required("cloudflare.api-token"), s.seconds("cloudflare.timeout-seconds"));
    }

    /**
     * One breaker per provider instance, named after it and bound under that name; only transient
     * faults count, so an outage opens it but a missing hosted zone or a still-starting instance does not.
     */
    private static CircuitBreaker breaker(Wiring w, String name) {
        Settings s = w.settings();
        Faults faults = new Faults();
        CircuitBreaker breaker = CircuitBreaker.of(name, CircuitBreakerConfig.custom()
                .failureRateThreshold(s.integer("breaker.failure-rate-percent"))
                .minimumNumberOfCalls(s.integer("breaker.minimum-calls"))
                .slidingWindowSize(s.integer("breaker.window-size"))
                .waitDurationInOpenState(s.seconds("breaker.open-seconds"))
                .permittedNumberOfCallsInHalfOpenState(s.integer("breaker.half-open-calls"))
                .recordException(faults::isTransient)
                .build());
        w.bind(name, breaker);
        return breaker;
    }
}
