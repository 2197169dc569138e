package cloud.edgehive.pipeline;

import java.util.function.Consumer;

import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.ExchangeSentEvent;
import org.apache.camel.spi.EventNotifier;
import org.apache.camel.support.EventNotifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cloud.edgehive.store.Node;

/**
 * Failure injection for crash tests, off unless {@code faults.pause-after} names a step: the worker
 * that has just recorded that step stops there (as if the process froze), so a test can kill the
 * process at exactly that point and check that another process resumes the node. Steps: ALLOCATED,
 * INSTANCE_RECORDED, RUNNING, ACCESS_READY (DNS done, email not sent), MAIL_SENT (the mail server
 * accepted the access email, READY not yet recorded: {@link #mailNotifier()}), or any other state name.
 */
public class PauseAfterStep implements Consumer<Node> {

    private static final Logger LOG = LoggerFactory.getLogger(PauseAfterStep.class);
    public static final String INSTANCE_RECORDED = "INSTANCE_RECORDED";
    public static final String MAIL_SENT = "MAIL_SENT";

    private final String step;

    public PauseAfterStep(String step) {
        this.step = step;
    }

    @Override
    public void accept(Node node) {
        String reached = INSTANCE_RECORDED.equals(step) && node.hasInstance() && node.state().name().equals("LAUNCHING")
                ? INSTANCE_RECORDED : node.state().name();
        if (!reached.equals(step)) {
            return;
        }
        LOG.warn("faults.pause-after={}: node {} recorded it; this worker now stops", step, node.nodeId());
        freeze();
    }

    /**
     * For MAIL_SENT, which writes nothing to the node: stops the worker once a mail endpoint has taken
     * a message (the exchange was sent), before the step records READY. Off for every other step.
     */
    public EventNotifier mailNotifier() {
        return new EventNotifierSupport() {
            @Override
            public boolean isEnabled(CamelEvent event) {
                // direct:send-mail returns once the mail sender (whichever provider) took the message.
                return MAIL_SENT.equals(step) && event instanceof ExchangeSentEvent sent
                        && sent.getEndpoint().getEndpointUri().startsWith("direct://send-mail");
            }

            @Override
            public void notify(CamelEvent event) {
                LOG.warn("faults.pause-after={}: {} accepted the email; this worker now stops", step,
                        ((ExchangeSentEvent) event).getEndpoint().getEndpointBaseUri());
                freeze();
            }
        };
    }

    private static void freeze() {
        try {
            Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
