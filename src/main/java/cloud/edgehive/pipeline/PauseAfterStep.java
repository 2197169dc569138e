package cloud.edgehive.pipeline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.ExchangeSentEvent;
import org.apache.camel.spi.EventNotifier;
import org.apache.camel.support.EventNotifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeState;

/**
 * Failure injection for crash tests, off unless {@code faults.pause-after} names a step: the worker
 * that has just recorded that step stops there (as if the process froze), so a test can kill the
 * process at exactly that point and check that another process resumes the node. Steps: ALLOCATED,
 * INSTANCE_RECORDED, RUNNING, ACCESS_READY (DNS done, email not sent), MAIL_SENT (the mail server
 * accepted the access email, READY not yet recorded: {@link #mailNotifier()}), or any other state name.
 * <p>
 * The setting is a comma-separated list of pause points, each {@code STEP} (every node stops there) or
 * {@code STEP@<node id>} (only that node), so one process can freeze several nodes, each at its own
 * step, and one SIGKILL tests them all. Every pause logs {@code faults.pause-after=STEP: node <id> …}.
 */
public class PauseAfterStep implements Consumer<Node> {

    private static final Logger LOG = LoggerFactory.getLogger(PauseAfterStep.class);
    public static final String INSTANCE_RECORDED = "INSTANCE_RECORDED";
    public static final String MAIL_SENT = "MAIL_SENT";

    /** One pause point: a step, and the one node it applies to (null: every node). */
    record Point(String step, String nodeId) {
        boolean applies(String node) {
            return nodeId == null || nodeId.equals(node);
        }
    }

    private final List<Point> points;

    /** @param spec {@code STEP} or {@code STEP@node-id}, several separated by commas */
    public PauseAfterStep(String spec) {
        this.points = parse(spec);
    }

    static List<Point> parse(String spec) {
        List<Point> points = new ArrayList<>();
        for (String entry : spec.split(",")) {
            String trimmed = entry.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            int at = trimmed.indexOf('@');
            String step = (at < 0 ? trimmed : trimmed.substring(0, at)).trim();
            String node = at < 0 ? null : trimmed.substring(at + 1).trim();
            boolean known = step.equals(INSTANCE_RECORDED) || step.equals(MAIL_SENT)
                    || Arrays.stream(NodeState.values()).anyMatch(s -> s.name().equals(step));
            if (!known || (node != null && node.isEmpty())) {
                // A misspelt point would never fire and the crash test would only time out.
                throw new IllegalArgumentException("faults.pause-after: '" + trimmed + "' is not STEP or STEP@<node id> with STEP "
                        + INSTANCE_RECORDED + ", " + MAIL_SENT + " or a node state");
            }
            points.add(new Point(step, node));
        }
        return List.copyOf(points);
    }

    @Override
    public void accept(Node node) {
        String reached = node.hasInstance() && node.state() == NodeState.LAUNCHING ? INSTANCE_RECORDED : node.state().name();
        for (Point point : points) {
            boolean here = point.step().equals(reached) || point.step().equals(node.state().name());
            if (here && point.applies(node.nodeId())) {
                LOG.warn("faults.pause-after={}: node {} recorded it; this worker now stops", point.step(), node.nodeId());
                freeze();
            }
        }
    }

    /**
     * For MAIL_SENT, which writes nothing to the node: stops the worker once a mail endpoint has taken
     * a message (the exchange was sent), before the step records READY. Off without a MAIL_SENT point.
     */
    public EventNotifier mailNotifier() {
        List<Point> mail = points.stream().filter(p -> p.step().equals(MAIL_SENT)).toList();
        return new EventNotifierSupport() {
            @Override
            public boolean isEnabled(CamelEvent event) {
                // direct:send-mail returns once the mail sender (whichever provider) took the message.
                return !mail.isEmpty() && event instanceof ExchangeSentEvent sent
                        && sent.getEndpoint().getEndpointUri().startsWith("direct://send-mail")
                        && mail.stream().anyMatch(p -> p.applies(nodeOf(sent.getExchange())));
            }

            @Override
            public void notify(CamelEvent event) {
                ExchangeSentEvent sent = (ExchangeSentEvent) event;
                LOG.warn("faults.pause-after={}: node {} had its email accepted by {}; this worker now stops", MAIL_SENT,
                        nodeOf(sent.getExchange()), sent.getEndpoint().getEndpointBaseUri());
                freeze();
            }
        };
    }

    /** The node the exchange works on (the node-work route names it on every exchange). */
    private static String nodeOf(Exchange exchange) {
        return exchange.getProperty("nodeId", String.class);
    }

    private static void freeze() {
        try {
            Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
