package cloud.edgehive.access;

import java.util.List;

import cloud.edgehive.store.Node;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;

/** An access provider behind its own circuit breaker ({@code access-<name>}); see {@code ComputeBreaker}. */
public class AccessBreaker implements AccessProvider {

    private final AccessProvider provider;
    private final CircuitBreaker breaker;

    public AccessBreaker(AccessProvider provider, CircuitBreaker breaker) {
        this.provider = provider;
        this.breaker = breaker;
    }

    @Override
    public String name() {
        return provider.name();
    }

    @Override
    public Access publish(Node node) {
        return breaker.executeSupplier(() -> provider.publish(node));
    }

    @Override
    public boolean namesAddress() {
        return provider.namesAddress();
    }

    @Override
    public void unpublish(Node node) {
        breaker.executeRunnable(() -> provider.unpublish(node));
    }

    @Override
    public List<PublishedName> managed() {
        return breaker.executeSupplier(provider::managed);
    }

    @Override
    public void removeOrphan(PublishedName orphan) {
        breaker.executeRunnable(() -> provider.removeOrphan(orphan));
    }

    @Override
    public java.util.Map<String, Health> inspect(List<Node> ready) {
        return breaker.executeSupplier(() -> provider.inspect(ready));
    }
}
