package cloud.edgehive.store;

/**
 * Another worker advanced or claimed the node since this one read it. Not a failure: the other
 * worker owns the node now, so this one stops without compensating anything.
 */
public class LeaseLost extends RuntimeException {
    public LeaseLost(String nodeId) {
        super("Node " + nodeId + " is being advanced by another worker");
    }
}
