package cloud.edgehive.billing;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.apache.camel.Variable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import cloud.edgehive.problem.ProblemException;

/**
 * Local mode's stand-in for creating a Stripe Checkout session ({@code billing.checkout-provider=local}):
 * an order that passed the billing API's checks becomes a link to the local checkout page, carrying
 * the order signed with a key derived from {@code stripe.webhook-secret}, so the page can trust it
 * without keeping anything in memory and nobody can change its plan, shape or owner on the way.
 */
public class LocalCheckoutOrders {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Stripe's sessions last a day; a local order is for a purchase made now. */
    private static final Duration VALID_FOR = Duration.ofHours(1);

    private final byte[] key;
    private final String baseUrl;
    private final Plans plans;
    private final Clock clock;

    public LocalCheckoutOrders(String webhookSecret, String baseUrl, Plans plans, Clock clock) {
        this.key = hmac(webhookSecret.getBytes(StandardCharsets.UTF_8), "edgehive local checkout order".getBytes(StandardCharsets.UTF_8));
        this.baseUrl = baseUrl;
        this.plans = plans;
        this.clock = clock;
    }

    /** The "session" for a checked order: {@code {url}} of the local checkout page, as Stripe answers. */
    public Map<String, String> session(@Variable("order") CheckoutOrder order) {
        ObjectNode body = JSON.createObjectNode()
                .put("userId", order.userId()).put("plan", order.plan().name()).put("region", order.region())
                .put("instanceType", order.instanceType()).put("storageGb", order.storageGb()).put("nodeCount", order.nodeCount())
                .put("nodeLimit", order.nodeLimit()).put("returnUrl", order.returnUrl())
                .put("expiresAt", clock.instant().plus(VALID_FOR).getEpochSecond());
        if (order.customerId() != null) {
            body.put("customerId", order.customerId());
        }
        String payload = Base64.getUrlEncoder().withoutPadding().encodeToString(body.toString().getBytes(StandardCharsets.UTF_8));
        return Map.of("url", baseUrl + "/local/checkout?order=" + payload + "." + signature(payload));
    }

    /** The order a local checkout link (or its form) carries; 400 when altered, expired or no longer on sale. */
    public CheckoutOrder verify(String signed) {
        if (signed == null || signed.indexOf('.') < 0 || signed.length() > 4096) {
            throw invalid("This checkout link is incomplete. Start again from the dashboard's Buy page");
        }
        String payload = signed.substring(0, signed.lastIndexOf('.'));
        String sent = signed.substring(signed.lastIndexOf('.') + 1);
        if (!MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8), signature(payload).getBytes(StandardCharsets.UTF_8))) {
            throw invalid("This checkout link was altered. Start again from the dashboard's Buy page");
        }
        JsonNode order;
        try {
            order = JSON.readTree(Base64.getUrlDecoder().decode(payload));
        } catch (Exception e) {
            throw invalid("This checkout link is damaged. Start again from the dashboard's Buy page");
        }
        if (order.path("expiresAt").asLong() < clock.instant().getEpochSecond()) {
            throw invalid("This checkout link has expired. Start again from the dashboard's Buy page");
        }
        Plan plan = plans.find(order.path("plan").asText()).orElseThrow(() ->
                invalid("The plan of this checkout is no longer sold. Start again from the dashboard's Buy page"));
        return new CheckoutOrder(order.path("userId").asText(), plan, order.path("region").asText(), order.path("instanceType").asText(),
                order.path("storageGb").asInt(), order.path("nodeCount").asInt(), order.path("nodeLimit").asInt(),
                order.path("returnUrl").asText(), order.hasNonNull("customerId") ? order.get("customerId").asText() : null);
    }

    private String signature(String payload) {
        return HexFormat.of().formatHex(hmac(key, payload.getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ProblemException invalid(String detail) {
        return new ProblemException(400, "Checkout link not valid", detail);
    }
}
