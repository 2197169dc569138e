package cloud.edgehive;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.util.UUID;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cloud.edgehive.mail.NodeMail;
import cloud.edgehive.ops.SecurityWiring;
import cloud.edgehive.ops.StartupChecks;
import cloud.edgehive.web.WebWiring;

/**
 * The composition root: binds the beans the routes call, by capability. Nothing here has behaviour
 * of its own, and every default lives in application.properties.
 */
public class ServiceBeans implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceBeans.class);

    @Override
    public void configure(CamelContext context) {
        StartupChecks.verify(context);
        Settings settings = new Settings(context);
        Wiring w = new Wiring(context, settings, clock(context), owner(settings));

        StoreBeans.Store store = StoreBeans.bind(w);
        ProviderBeans.Providers providers = ProviderBeans.bind(w, store);
        HookBeans.bind(w, store);
        NodeMail mail = emails(w);
        OperationsBeans.pipeline(w, store, providers, mail);
        BillingBeans.bind(w, store, mail);
        OperationsBeans.api(w, store, providers);
        OperationsBeans.localMode(w, store);
        OperationsBeans.healthChecks(w, store, providers);
        SecurityWiring.configure(context, settings);
        WebWiring.wire(context, settings);
        LOG.info("Edge Hive Cloud wired: worker {}", w.owner());
    }

    /** The emails a node's owner gets, rendered from the templates operators edit. */
    private static NodeMail emails(Wiring w) {
        NodeMail mail = new NodeMail(Path.of(w.settings().text("mail.templates-dir")), w.settings().required("mail.from"));
        w.bind("nodeMail", mail);
        return mail;
    }

    /** A bound clock (tests move time), else the system's. */
    private static Clock clock(CamelContext context) {
        Clock bound = context.getRegistry().findSingleByType(Clock.class);
        Clock clock = bound != null ? bound : Clock.systemUTC();
        if (bound == null) {
            context.getRegistry().bind("clock", clock);
        }
        return clock;
    }

    /** This worker's name on leases: service.instance-id, else host, pid and a random suffix. */
    private static String owner(Settings settings) {
        return settings.optional("service.instance-id").orElseGet(() ->
                ManagementFactory.getRuntimeMXBean().getName().replace('@', '-') + "-" + UUID.randomUUID().toString().substring(0, 8));
    }

    static Path localDir(Settings settings) {
        return Path.of(settings.text("local.data-dir"));
    }
}
