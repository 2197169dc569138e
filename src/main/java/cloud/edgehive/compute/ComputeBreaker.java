package cloud.edgehive.compute;

import java.util.List;

import cloud.edgehive.store.Node;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;

/**
 * A compute provider behind its own circuit breaker (named {@code compute-<name>}): every call that
 * reaches the provider, from provisioning, lifecycle, compensation or the reconciler, counts toward
 * it, and while it is open calls fail fast with a transient fault the step retries.
 */
public class ComputeBreaker implements ComputeProvider {

    private final ComputeProvider provider;
    private final CircuitBreaker breaker;

    public ComputeBreaker(ComputeProvider provider, CircuitBreaker breaker) {
        this.provider = provider;
        this.breaker = breaker;
    }

    /** The provider itself (for checks that look at what it is, not at calls). */
    public ComputeProvider provider() {
        return provider;
    }

    @Override
    public String name() {
        return provider.name();
    }

    @Override
    public String launch(Node node) {
        return breaker.executeSupplier(() -> provider.launch(node));
    }

    @Override
    public InstanceStatus describe(Node node) {
        return breaker.executeSupplier(() -> provider.describe(node));
    }

    @Override
    public void restart(Node node) {
        breaker.executeRunnable(() -> provider.restart(node));
    }

    @Override
    public boolean keepsDisk() {
        return provider.keepsDisk();
    }

    @Override
    public void suspend(Node node) {
        breaker.executeRunnable(() -> provider.suspend(node));
    }

    @Override
    public void resume(Node node) {
        breaker.executeRunnable(() -> provider.resume(node));
    }

    @Override
    public void terminate(Node node) {
        breaker.executeRunnable(() -> provider.terminate(node));
    }

    @Override
    public void terminateResource(ManagedResource orphan) {
        breaker.executeRunnable(() -> provider.terminateResource(orphan));
    }

    @Override
    public List<ManagedResource> managed() {
        return breaker.executeSupplier(provider::managed);
    }
}
