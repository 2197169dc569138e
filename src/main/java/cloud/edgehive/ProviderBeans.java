package cloud.edgehive;

import java.nio.file.Path;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cloud.edgehive.access.AccessBreaker;
import cloud.edgehive.access.AccessProvider;
import cloud.edgehive.access.LocalDns;
import cloud.edgehive.access.Route53Dns;
import cloud.edgehive.access.SslipDns;
import cloud.edgehive.compute.ComputeBreaker;
import cloud.edgehive.compute.ComputeProvider;
import cloud.edgehive.compute.Ec2Compute;
import cloud.edgehive.compute.LocalCompute;
import cloud.edgehive.compute.UserData;
import cloud.edgehive.mail.MailBreaker;
import cloud.edgehive.mail.MailFiles;
import cloud.edgehive.mail.MailSender;
import cloud.edgehive.mail.OutboxMail;
import cloud.edgehive.mail.SmtpMail;
import cloud.edgehive.pipeline.Faults;
import cloud.edgehive.store.SlotAllocator;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
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

    /** Every provider that ships, by kind and name. Adding one is one line here. */
    static ProviderCatalog catalog(Wiring w, SlotAllocator slots) {
        ProviderCatalog catalog = new ProviderCatalog();
        catalog.compute()
                .add("ec2", s -> ec2(s))
                .add("local", s -> new LocalCompute(ServiceBeans.localDir(s).resolve("nodes"),
                        s.optional("local.node-command").orElse(null), slots::portOf));
        catalog.access()
                .add("route53", s -> new Route53Dns(AwsClients.lazy(() -> AwsClients.configure(Route53Client.builder(), s, "route53").region(Region.AWS_GLOBAL).build()),
                        s.required("route53.hosted-zone-id"), s.text("dns.zone"), s.number("dns.ttl"), s.text("access.url-scheme")))
                .add("sslip", s -> new SslipDns(s.text("sslip.domain"), s.text("access.url-scheme"), s.flag("sslip.with-port")))
                .add("local", s -> new LocalDns(s.text("access.url-scheme")));
        catalog.mail()
                .add("smtp", s -> new SmtpMail(new SmtpMail.Server(s.text("mail.smtp.scheme"), s.text("mail.smtp.host"),
                        s.integer("mail.smtp.port"), s.flag("mail.smtp.starttls"), s.integer("mail.smtp.timeout-ms"),
                        s.optional("mail.smtp.username").orElse(null), s.optional("mail.smtp.password").orElse(null)),
                        new MailFiles(w.clock())))
                .add("outbox", s -> new OutboxMail(Path.of(s.text("mail.outbox-dir")), new MailFiles(w.clock())));
        return catalog;
    }

    static Providers bind(Wiring w, StoreBeans.Store store) {
        Settings s = w.settings();
        ProviderCatalog catalog = catalog(w, store.slots());
        ComputeProvider compute = catalog.compute().chosen(s);
        AccessProvider access = catalog.access().chosen(s);
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
        w.bind("compute", providers.compute());
        w.bind("access", providers.access());
        w.bind("mailSender", providers.mail());
        LOG.info("Providers: compute {}, access {}, mail {}", compute.name(), access.name(), mail.name());
        return providers;
    }

    private static ComputeProvider ec2(Settings s) {
        UserData userData = new UserData(Path.of(s.text("ec2.user-data-template")), s.required("node.install-url"),
                s.required("node.token-secret"), s.optional("cloudflare.tunnel-token").orElse(null));
        return new Ec2Compute(AwsClients.lazy(() -> AwsClients.configure(Ec2Client.builder(), s, "ec2").build()), s.text("aws.region"), userData,
                new Ec2Compute.Launch(
                        s.optional("ec2.ami-id").orElse(null),
                        s.text("ec2.ami-name-pattern"),
                        s.text("ec2.ami-owner"),
                        s.optional("ec2.subnet-id").orElse(null),
                        s.list("ec2.security-group-ids"),
                        s.optional("ec2.key-name").orElse(null),
                        s.optional("ec2.instance-profile").orElse(null)));
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
