package cloud.edgehive.compute;

/**
 * What the compute provider reports about a node's instance (or task, or process): its phase and
 * the provider-neutral address users reach it on. {@code port} 0 means the provider's default (none
 * recorded on the node).
 */
public record InstanceStatus(String id, Phase phase, String host, int port) {

    public enum Phase { PENDING, RUNNING, STOPPING, STOPPED, GONE }

    public static InstanceStatus gone(String id) {
        return new InstanceStatus(id, Phase.GONE, null, 0);
    }
}
