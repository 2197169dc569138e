package cloud.edgehive.pipeline;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cloud.edgehive.store.DeadLetterStore;
import cloud.edgehive.store.EventStore;
import cloud.edgehive.store.StoredEvent;

/** A Stripe event whose handling failed for good: its payload goes to a dead letter for replay. */
public class EventDeadLetters {

    private static final Logger LOG = LoggerFactory.getLogger(EventDeadLetters.class);

    private final EventStore events;
    private final DeadLetterStore deadLetters;

    public EventDeadLetters(EventStore events, DeadLetterStore deadLetters) {
        this.events = events;
        this.deadLetters = deadLetters;
    }

    public void fail(Exchange exchange) {
        StoredEvent event = exchange.getVariable("event", StoredEvent.class);
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String step = ProvisioningSteps.failedStep(exchange);
        String reason = Faults.describe(cause);
        if (event == null) {
            LOG.error("Event handling failed in {} before the event was read: {}", step, reason);
            return;
        }
        String id = deadLetters.record(null, event.eventId(), step, reason, event.payload());
        events.markFailed(event.eventId(), id);
        LOG.error("Event {} ({}) failed in {}: {}; dead letter {}", event.eventId(), event.type(), step, reason, id);
    }
}
