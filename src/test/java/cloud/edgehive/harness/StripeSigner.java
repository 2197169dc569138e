package cloud.edgehive.harness;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Signs webhook payloads exactly as Stripe does: HMAC-SHA256 of {@code t.body} keyed with the whsec secret. */
public final class StripeSigner {

    /** The metadata of a Pro purchase as the billing API's Checkout sessions carry it (the plan is required). */
    public static final String PRO_PLAN = "{\"plan\":\"pro\"}";

    private StripeSigner() {
    }

    public static String header(String secret, long timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return "t=" + timestamp + ",v1=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String header(String secret, byte[] body) {
        return header(secret, System.currentTimeMillis() / 1000, body);
    }

    /** A checkout.session.completed event as Stripe sends it, for the fields the service reads. */
    public static String checkoutCompleted(String eventId, String sessionId, String userId, String email, String metadataJson) {
        return """
                {
                  "id": "%s",
                  "object": "event",
                  "api_version": "2025-03-31.basil",
                  "created": %d,
                  "livemode": false,
                  "type": "checkout.session.completed",
                  "data": {
                    "object": {
                      "id": "%s",
                      "object": "checkout.session",
                      "mode": "subscription",
                      "payment_status": "paid",
                      "status": "complete",
                      "client_reference_id": "%s",
                      "customer": "cus_%s",
                      "subscription": "sub_%s",
                      "customer_details": {"email": "%s", "name": "Test User"},
                      "metadata": %s
                    }
                  }
                }
                """.formatted(eventId, System.currentTimeMillis() / 1000, sessionId, userId, userId, userId, email, metadataJson);
    }
}
