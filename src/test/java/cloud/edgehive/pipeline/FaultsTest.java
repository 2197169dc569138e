package cloud.edgehive.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;

import org.apache.camel.http.base.HttpOperationFailedException;
import org.junit.jupiter.api.Test;

import cloud.edgehive.compute.NotRunningYet;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/** Which failures the routes retry: only those a retry can fix. */
class FaultsTest {

    private final Faults faults = new Faults();

    @Test
    void providerTroubleIsTransient() {
        assertTrue(faults.isTransient(aws(500, "InternalError")));
        assertTrue(faults.isTransient(aws(503, "Unavailable")));
        assertTrue(faults.isTransient(aws(429, "TooManyRequests")));
        assertTrue(faults.isTransient(aws(400, "Throttling")), "Route 53 throttles with a 400");
        assertTrue(faults.isTransient(SdkClientException.create("connection reset")));
        assertTrue(faults.isTransient(http(500)));
        assertTrue(faults.isTransient(http(503)));
        assertTrue(faults.isTransient(http(429)));
        assertTrue(faults.isTransient(new MessagingException("421 try later")));
        assertTrue(faults.isTransient(new IOException("broken pipe")));
        assertTrue(faults.isTransient(new NotRunningYet("n-1", cloud.edgehive.compute.InstanceStatus.Phase.values()[0])));
        assertTrue(faults.isTransient(CallNotPermittedException.createCallNotPermittedException(CircuitBreaker.ofDefaults("ec2"))));
    }

    @Test
    void whatARetryCannotFixIsPermanent() {
        assertFalse(faults.isTransient(aws(400, "InvalidParameterValue")));
        assertFalse(faults.isTransient(aws(404, "NoSuchHostedZone")));
        assertFalse(faults.isTransient(aws(499, "Odd")));
        assertFalse(faults.isTransient(http(400)));
        assertFalse(faults.isTransient(http(404)));
        assertFalse(faults.isTransient(http(499)));
        assertFalse(faults.isTransient(new AuthenticationFailedException("535 bad credentials")));
        assertFalse(faults.isTransient(new SendFailedException("550 no such user")));
        assertFalse(faults.isTransient(new IllegalArgumentException("bad plan")));
        assertFalse(faults.isTransient(null));
    }

    @Test
    void theCauseChainDecides() {
        assertTrue(faults.isTransient(new IllegalStateException("wrapped", new IOException("reset"))));
        assertFalse(faults.isTransient(new RuntimeException("wrapped", new SendFailedException("550"))),
                "a permanent mail refusal inside a wrapper stays permanent");
        assertTrue(faults.isTransient(new RuntimeException("outer", new RuntimeException("middle", aws(500, "InternalError")))));
        assertFalse(faults.isTransient(new RuntimeException("outer", aws(403, "AccessDenied"))));
    }

    @Test
    void describeNamesTheInnermostCauseBriefly() {
        assertEquals("unknown", Faults.describe(null));
        assertEquals("IOException: reset", Faults.describe(new IllegalStateException("outer", new IOException("reset"))));
        assertEquals("IllegalStateException", Faults.describe(new IllegalStateException()));
        assertEquals("IllegalStateException", Faults.describe(new IllegalStateException("")));
        String described = Faults.describe(new IllegalStateException("x".repeat(800)));
        assertEquals(500, described.length());
        assertTrue(described.startsWith("IllegalStateException: xxx"));
        String exactly = "y".repeat(500 - "IOException: ".length());
        assertEquals("IOException: " + exactly, Faults.describe(new IOException(exactly)), "500 characters are kept whole");
    }

    private static AwsServiceException aws(int status, String code) {
        return AwsServiceException.builder().statusCode(status).message("injected")
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("injected").build()).build();
    }

    private static HttpOperationFailedException http(int status) {
        return new HttpOperationFailedException("https://api.example/x", status, "status " + status, null, null, "");
    }
}
