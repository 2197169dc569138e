package cloud.edgehive.compute;

/** What the compute provider reports about a node's instance (or task, or process). */
public record InstanceStatus(String id, Phase phase, String publicAddress, String privateAddress) {

    public enum Phase { PENDING, RUNNING, STOPPING, STOPPED, GONE }

    /** The address users reach the node on: the public one when there is one. */
    public String address() {
        return publicAddress != null && !publicAddress.isEmpty() ? publicAddress : privateAddress;
    }
}
