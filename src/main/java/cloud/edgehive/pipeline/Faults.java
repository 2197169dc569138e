package cloud.edgehive.pipeline;

import java.io.IOException;

import org.apache.camel.http.base.HttpOperationFailedException;

import cloud.edgehive.compute.NotRunningYet;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkServiceException;

/**
 * Which failures are worth retrying: network trouble, throttling and 5xx from a provider. Everything
 * else (a missing hosted zone, an invalid request, bad credentials) fails the step at once, because
 * retrying cannot fix it. The routes' error handling asks {@link #isTransient}.
 */
public class Faults {

    public boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof NotRunningYet || t instanceof ProviderUnavailable
                    || t instanceof io.github.resilience4j.circuitbreaker.CallNotPermittedException) {
                return true;
            }
            if (t instanceof ProviderRejected) {
                return false;
            }
            if (t instanceof SdkServiceException service) {
                return service.isThrottlingException() || service.statusCode() >= 500 || service.statusCode() == 429;
            }
            if (t instanceof SdkClientException) {
                return true;
            }
            if (t instanceof HttpOperationFailedException http) {
                return http.getStatusCode() >= 500 || http.getStatusCode() == 429;
            }
            if (t instanceof jakarta.mail.AuthenticationFailedException || t instanceof jakarta.mail.SendFailedException) {
                return false;
            }
            if (t instanceof jakarta.mail.MessagingException || t instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    /** A one-line cause for records and emails: the innermost message, without stack or secrets. */
    public static String describe(Throwable failure) {
        if (failure == null) {
            return "unknown";
        }
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? "" : root.getMessage();
        String text = root.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
        return text.length() > 500 ? text.substring(0, 500) : text;
    }
}
