package cloud.edgehive.problem;

/** A request the service refuses, answered as {@code application/problem+json} with this status. */
public class ProblemException extends RuntimeException {

    private final int status;
    private final String title;
    private final java.time.Duration retryAfter;

    public ProblemException(int status, String title, String detail) {
        this(status, title, detail, null);
    }

    /** A refusal that tells the client when to try again ({@code Retry-After}, e.g. with a 503). */
    public ProblemException(int status, String title, String detail, java.time.Duration retryAfter) {
        super(detail, null, false, false);
        this.status = status;
        this.title = title;
        this.retryAfter = retryAfter;
    }

    /** Null when the client need not wait. */
    public java.time.Duration getRetryAfter() {
        return retryAfter;
    }

    public int getStatus() {
        return status;
    }

    public String getTitle() {
        return title;
    }

    public String getDetail() {
        return getMessage();
    }
}
