package cloud.edgehive.harness;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock a test moves, bound into the service with {@link RunningService#start(java.util.Map, java.util.Map)}.
 * {@code new MutableClock()} follows real time plus whatever the test advanced (leases and timers keep
 * working while days of a dunning ladder pass in one call); {@code new MutableClock(start)} stands still
 * at {@code start} until the test sets or advances it (exact figures, e.g. node-hours).
 */
public final class MutableClock extends Clock {

    private final AtomicReference<Instant> frozen;
    private final AtomicLong offsetMillis = new AtomicLong();

    public MutableClock() {
        this.frozen = new AtomicReference<>();
    }

    public MutableClock(Instant start) {
        this.frozen = new AtomicReference<>(start);
    }

    public void set(Instant instant) {
        frozen.set(instant);
    }

    public void advance(Duration by) {
        if (frozen.get() != null) {
            frozen.updateAndGet(t -> t.plus(by));
        } else {
            offsetMillis.addAndGet(by.toMillis());
        }
    }

    @Override
    public Instant instant() {
        Instant fixed = frozen.get();
        return fixed != null ? fixed : Instant.now().plusMillis(offsetMillis.get());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("The service works in UTC");
    }
}
