package cloud.edgehive.compute;

/** The instance will never become usable (it stopped, vanished, or the wait timed out): not retried. */
public class ComputeFailed extends RuntimeException {
    public ComputeFailed(String message) {
        super(message);
    }
}
