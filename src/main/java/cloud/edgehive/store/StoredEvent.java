package cloud.edgehive.store;

/** A Stripe event as recorded: its id, type, Stripe's creation time and the verified raw payload. */
public record StoredEvent(String eventId, String type, long created, String payload) {
}
