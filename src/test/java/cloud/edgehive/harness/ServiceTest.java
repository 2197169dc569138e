package cloud.edgehive.harness;

import static org.apache.camel.builder.Builder.exchangeProperty;
import static org.apache.camel.builder.Builder.variable;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.camel.BeanInject;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.camel.test.main.junit5.Configure;
import org.junit.jupiter.api.BeforeEach;

import cloud.edgehive.ServiceBeans;

/**
 * The real service booted by Camel's own test kit ({@code @CamelMainTest}): production's
 * application.properties, routes/*.camel.yaml and {@link ServiceBeans}, with the test's
 * {@link #settings()} as overrides and its {@link #beans()} bound before the wiring reads them.
 * <p>
 * The kit starts the context before each test, or once per class with
 * {@code @TestInstance(PER_CLASS)} (then {@code @BeforeAll} may prepare the emulated world first;
 * per method, prepare it in field initialisers, as the kit starts the service before any
 * {@code @BeforeEach}). {@link #context} is the running context, for {@code NotifyBuilder} and
 * {@code AdviceWith}; {@link #service} the same HTTP and DynamoDB helpers {@link RunningService} has.
 */
@CamelMainTest(propertyPlaceholderLocations = "file:application.properties", shutdownTimeout = 5,
        properties = "camel.main.shutdownTimeout=5")
public abstract class ServiceTest {

    private final int port = Emulators.freePort();
    private final int managementPort = Emulators.freePort();

    @BeanInject
    protected CamelContext context;

    protected RunningService service;

    /** The settings this class runs the service with: {@link RunningService#defaults} plus its own. */
    protected abstract Map<String, String> settings();

    /** Beans bound before the service wires itself, e.g. a {@link java.time.Clock} the test moves. */
    protected Map<String, Object> beans() {
        return Map.of();
    }

    @Configure
    void bootTheService(MainConfigurationProperties main) {
        Map<String, String> settings = new LinkedHashMap<>(settings());
        settings.put("camel.server.port", String.valueOf(port));
        settings.put("camel.management.port", String.valueOf(managementPort));
        main.addMainListener(new Overrides(settings));
        // First, as ServiceBeans looks the beans up.
        main.addConfiguration(new Beans(beans()));
        main.addConfiguration(ServiceBeans.class);
    }

    /**
     * The settings as override properties, as {@code Main.addOverrideProperty} makes them: added before
     * camel-main reads any (it reads {@code camel.server.*} before the first configuration class runs),
     * to the overrides the kit made from {@code @CamelMainTest(properties)}, which the properties
     * component holds.
     */
    private static final class Overrides extends MainListenerSupport {
        private final Map<String, String> settings;

        Overrides(Map<String, String> settings) {
            this.settings = settings;
        }

        @Override
        public void beforeConfigure(BaseMainSupport camelMain) {
            if (camelMain.getOverrideProperties() == null) {
                throw new IllegalStateException("@CamelMainTest(properties) made no overrides to add the test's settings to");
            }
            settings.forEach(camelMain::addOverrideProperty);
        }
    }

    /** Binds the test's beans before {@link ServiceBeans} runs. */
    private record Beans(Map<String, Object> beans) implements CamelConfiguration {
        @Override
        public void configure(CamelContext context) {
            beans.forEach(context.getRegistry()::bind);
        }
    }

    @BeforeEach
    void attachClients() {
        assertEquals(String.valueOf(port), context.resolvePropertyPlaceholders("{{camel.server.port}}"), "the settings are in force");
        service = RunningService.startedByTheKit(context, port, managementPort);
    }

    /**
     * Done once the work on {@code nodeId} (route node-work: provisioning with its compensation, or a
     * replay) has finished {@code times} times. Create it before the event that starts the work.
     */
    protected NotifyBuilder workDone(String nodeId, int times) {
        return done("node-work", "nodeId", nodeId, "node", times);
    }

    /** Done once the handling of Stripe event {@code eventId} (route stripe-events) has finished {@code times} times. */
    protected NotifyBuilder eventDone(String eventId, int times) {
        return done("stripe-events", "eventId", eventId, "event", times);
    }

    /**
     * Counts the passes of {@code routeId} for the item whose id is in exchange property {@code property}
     * that claimed it (variable {@code claimed} set): a pass that finds the item held by another pass, or
     * done, ends at once having done nothing, and does not count.
     */
    private NotifyBuilder done(String routeId, String property, String value, String claimed, int times) {
        return new NotifyBuilder(context).fromRoute(routeId).filter(exchangeProperty(property).isEqualTo(value))
                .filter(variable(claimed).isNotNull()).whenDone(times).create();
    }

    /** Waits until {@code done} matches, failing after {@code timeout}. */
    protected static void await(NotifyBuilder done, Duration timeout) {
        try {
            assertTrue(done.matches(timeout.toMillis(), TimeUnit.MILLISECONDS), () -> "not within " + timeout.toSeconds() + " s: " + done);
        } finally {
            done.destroy();
        }
    }
}
