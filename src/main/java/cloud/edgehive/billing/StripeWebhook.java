package cloud.edgehive.billing;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import org.apache.camel.Body;
import org.apache.camel.Header;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.stripe.exception.SignatureVerificationException;
import com.stripe.net.Webhook;

import cloud.edgehive.problem.ProblemException;
import cloud.edgehive.store.StoredEvent;

/**
 * Verifies a Stripe webhook over the exact raw bytes it arrived as, before anything parses or logs
 * them, then reads the few fields the service keys on. Anything else is refused with a 4xx.
 */
public class StripeWebhook {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String secret;
    private final long toleranceSeconds;
    private final int maxBytes;

    public StripeWebhook(String secret, long toleranceSeconds, int maxBytes) {
        this.secret = secret;
        this.toleranceSeconds = toleranceSeconds;
        this.maxBytes = maxBytes;
    }

    public StoredEvent verify(@Body byte[] raw, @Header("Stripe-Signature") String signature) {
        if (raw != null && raw.length > maxBytes) {
            throw new ProblemException(413, "Payload too large", "Webhook bodies are limited to " + maxBytes + " bytes");
        }
        if (signature == null || signature.isBlank()) {
            throw new ProblemException(400, "Missing signature", "The Stripe-Signature header is required");
        }
        if (raw == null || raw.length == 0) {
            throw new ProblemException(400, "Empty body", "The webhook body is empty");
        }
        String payload = utf8(raw);
        try {
            Webhook.Signature.verifyHeader(payload, signature, secret, toleranceSeconds);
        } catch (SignatureVerificationException e) {
            throw new ProblemException(400, "Invalid signature",
                    "The Stripe-Signature header does not match the body, or its timestamp is outside the tolerance");
        }
        JsonNode event;
        try {
            event = JSON.readTree(payload);
        } catch (java.io.IOException e) {
            throw new ProblemException(400, "Malformed event", "The body is not valid JSON");
        }
        if (event == null || !event.isObject() || !event.path("id").isTextual() || !event.path("type").isTextual()
                || !"event".equals(event.path("object").asText("event"))) {
            throw new ProblemException(400, "Malformed event", "The body is not a Stripe event (id and type are required)");
        }
        return new StoredEvent(event.get("id").asText(), event.get("type").asText(), event.path("created").asLong(0), payload);
    }

    private static String utf8(byte[] raw) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            throw new ProblemException(400, "Malformed event", "The body is not UTF-8");
        }
    }
}
