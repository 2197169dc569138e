package cloud.edgehive;

import java.time.Clock;

import org.apache.camel.CamelContext;

/** What every part of the composition root shares: the context, the configuration, the clock and this worker's name. */
record Wiring(CamelContext context, Settings settings, Clock clock, String owner) {

    void bind(String name, Object bean) {
        context.getRegistry().bind(name, bean);
    }

    <T> T lookup(String name, Class<T> type) {
        return context.getRegistry().lookupByNameAndType(name, type);
    }
}
