package cloud.edgehive.pipeline;

import java.util.Optional;
import java.util.function.Function;

import org.apache.camel.spi.Registry;

import cloud.edgehive.store.Node;

/**
 * Named points in a node's life where an operator's own code runs: {@code after-access} (a saga step
 * between publishing access and the email) and {@code before-terminate}. {@code hooks.<point>} names
 * the {@link Hook} bean to call there; empty, the point does nothing.
 */
public class Hooks {

    public static final String AFTER_ACCESS = "after-access";
    public static final String BEFORE_TERMINATE = "before-terminate";

    /** Code run at a hook point; returns the node as recorded after it (or null to leave it as it is). */
    public interface Hook {
        Node run(String point, Node node);

        /** Whether the hook does anything at {@code point} (false: calling it there changes nothing). */
        default boolean acts(String point) {
            return true;
        }
    }

    private final Function<String, Optional<String>> settings;
    private final Registry registry;

    public Hooks(Function<String, Optional<String>> settings, Registry registry) {
        this.settings = settings;
        this.registry = registry;
    }

    /**
     * The after-access saga step: the node as recorded after the hook, or null when no hook is set
     * at this point, so the saga records nothing for a step that did nothing.
     */
    public Node afterAccess(Node node) {
        Hook hook = hook(AFTER_ACCESS);
        return hook == null || !hook.acts(AFTER_ACCESS) ? null : run(AFTER_ACCESS, node);
    }

    public Node beforeTerminate(Node node) {
        return run(BEFORE_TERMINATE, node);
    }

    private Node run(String point, Node node) {
        Hook hook = hook(point);
        if (hook == null) {
            return node;
        }
        Node after = hook.run(point, node);
        return after == null ? node : after;
    }

    /** The hook bean {@code hooks.<point>} names; null when it names none. */
    private Hook hook(String point) {
        Optional<String> name = settings.apply("hooks." + point);
        if (name.isEmpty()) {
            return null;
        }
        Hook hook = registry.lookupByNameAndType(name.get(), Hook.class);
        if (hook == null) {
            throw new IllegalStateException("hooks." + point + " names '" + name.get() + "', which is no hook");
        }
        return hook;
    }
}
