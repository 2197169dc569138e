package cloud.edgehive;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.camel.health.HealthCheck;

import cloud.edgehive.access.NodeTunnels;
import cloud.edgehive.admin.DeadLetterAdmin;
import cloud.edgehive.api.NodeAgent;
import cloud.edgehive.auth.NodeTokens;
import cloud.edgehive.api.AdminProvisioning;
import cloud.edgehive.api.NodeAccess;
import cloud.edgehive.api.NodeViews;
import cloud.edgehive.api.OpenApiDocument;
import cloud.edgehive.api.PlanLimits;
import cloud.edgehive.api.UsageMeter;
import cloud.edgehive.auth.LocalToken;
import cloud.edgehive.auth.TokenVerifier;
import cloud.edgehive.billing.LocalCheckout;
import cloud.edgehive.billing.Plans;
import cloud.edgehive.local.LocalNodes;
import cloud.edgehive.mail.MailFiles;
import cloud.edgehive.mail.NodeMail;
import cloud.edgehive.ops.ConfigurationHealthCheck;
import cloud.edgehive.ops.DynamoHealthCheck;
import cloud.edgehive.ops.NeedsFiles;
import cloud.edgehive.pipeline.Compensation;
import cloud.edgehive.pipeline.EventDeadLetters;
import cloud.edgehive.pipeline.Faults;
import cloud.edgehive.pipeline.Lifecycle;
import cloud.edgehive.pipeline.ProvisioningSteps;
import cloud.edgehive.pipeline.Reconciler;
import cloud.edgehive.pipeline.RetryAfter;
import cloud.edgehive.pipeline.Saga;
import cloud.edgehive.pipeline.Hooks;
import cloud.edgehive.problem.Problems;

/** Running the service: the pipeline's beans, the HTTP API's, local mode's, and the readiness checks. */
final class OperationsBeans {

    private OperationsBeans() {
    }

    /** Provisioning steps and their saga, hook points, lifecycle, compensation, the reconciler, dead letters, fault classification. */
    static void pipeline(Wiring w, StoreBeans.Store store, ProviderBeans.Providers providers, NodeMail mail) {
        Settings s = w.settings();
        w.bind("faults", new Faults());
        w.bind("retryAfter", new RetryAfter());
        w.bind("provisioningSteps", new ProvisioningSteps(store.nodes(), providers.compute(), providers.access(), mail, w.clock(),
                s.seconds("compute.await-timeout-seconds")));
        Saga saga = new Saga(store.nodes(), w.context());
        w.bind("saga", saga);
        w.bind("hooks", new Hooks(s::optional, w.context().getRegistry()));
        w.bind("lifecycle", new Lifecycle(store.nodes(), saga, providers.compute(), providers.access(), mail,
                store.deadLetters()));
        Compensation compensation = new Compensation(store.nodes(), saga, store.deadLetters());
        w.bind("compensation", compensation);
        w.bind("eventDeadLetters", new EventDeadLetters(store.events(), store.deadLetters()));
        w.bind("deadLetterAdmin", new DeadLetterAdmin(store.deadLetters(), store.nodes(), store.events(),
                w.context().createProducerTemplate(), w.clock()));
        long stuckDefault = s.number("reconciler.stuck-after-seconds");
        w.bind("reconciler", new Reconciler(store.nodes(), providers.compute(), providers.access(), compensation, w.context(), w.clock(),
                new Reconciler.Config(
                        state -> Duration.ofSeconds(s.number("reconciler.stuck-after-seconds." + state.name().toLowerCase(), stuckDefault)),
                        s.integer("reconciler.max-resumes"),
                        s.flag("reconciler.terminate-orphans"),
                        s.integer("reconciler.batch-size"))));
    }

    /** The HTTP API: authentication, problems, node views and access, usage, admin provisioning, OpenAPI, the node agent. */
    static void api(Wiring w, StoreBeans.Store store, ProviderBeans.Providers providers) {
        Settings s = w.settings();
        NodeTunnels tunnels = providers.chosen().stream().filter(NodeTunnels.class::isInstance).map(NodeTunnels.class::cast)
                .findFirst().orElse(null);
        w.bind("nodeAgent", new NodeAgent(w.lookup("nodeTokens", NodeTokens.class), store.nodes()::find,
                tunnels == null ? null : tunnels::tunnelToken, s.seconds("node.tunnel-token-retry-seconds")));
        w.bind("problems", new Problems());
        w.bind("tokenVerifier", new TokenVerifier(new TokenVerifier.Config(
                s.optional("auth.jwt.secret").orElse(null), s.optional("auth.jwt.jwks-url").orElse(null),
                s.required("auth.jwt.issuer"), s.required("auth.jwt.audience"),
                s.text("auth.jwt.admin-role"), s.text("auth.jwt.role-claim"),
                s.seconds("auth.jwt.max-lifetime-seconds")), w.clock()));
        OpenApiDocument openApi = new OpenApiDocument();
        openApi.setCamelContext(w.context());
        w.bind("openApiDocument", openApi);
        w.bind("nodeViews", new NodeViews());
        w.bind("nodeAccess", new NodeAccess(store.nodes()));
        w.bind("usageMeter", new UsageMeter(store.nodes(), new PlanLimits(s::optional), w.clock(), s.text("plans.default")));
        w.bind("adminProvisioning", new AdminProvisioning(store.nodes(), w.lookup("plans", Plans.class), new AdminProvisioning.Defaults(
                s.text("plans.default"), s.text("aws.region"),
                s.text("compute.default-instance-type"), s.integer("compute.default-storage-gb"),
                s.integer("api.provision.max-node-count"))));
    }

    /** Beans of the local-mode routes (local.camel.yaml); idle unless those routes run. */
    static void localMode(Wiring w, StoreBeans.Store store) {
        Settings s = w.settings();
        w.bind("mailFiles", new MailFiles(w.clock()));
        w.bind("localNodes", new LocalNodes(store.nodes()));
        w.bind("localCheckout", new LocalCheckout(s.required("stripe.webhook-secret"),
                s.text("local.user-id"), s.list("pricing.plans"),
                Path.of(s.text("mail.templates-dir")), w.clock()));
        w.bind("localToken", LocalToken.from(s, w.clock()));
    }

    /** Readiness beside Camel's own (context, routes): DynamoDB, the email templates, and the files the chosen providers need. */
    static void healthChecks(Wiring w, StoreBeans.Store store, ProviderBeans.Providers providers) {
        Settings s = w.settings();
        Path templates = Path.of(s.text("mail.templates-dir"));
        List<Path> readable = new ArrayList<>();
        for (String kind : List.of(ProvisioningSteps.READY_MAIL, Lifecycle.TERMINATED_MAIL)) {
            readable.add(templates.resolve(kind + ".html"));
            readable.add(templates.resolve(kind + ".txt"));
        }
        List<Path> writable = new ArrayList<>();
        for (Object provider : providers.chosen()) {
            if (provider instanceof NeedsFiles files) {
                readable.addAll(files.readable());
                writable.addAll(files.writable());
            }
        }
        Map<String, String> chosen = Map.of("compute", providers.compute().name(), "access", providers.access().name(),
                "mail", providers.mail().name());
        for (HealthCheck check : List.of(new DynamoHealthCheck(store.dynamo(), store.tables(), store.tableCheck()::verified),
                new ConfigurationHealthCheck(readable, writable, chosen))) {
            w.bind(check.getId() + "-health-check", check);
        }
    }
}
