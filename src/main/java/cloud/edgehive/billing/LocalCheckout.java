package cloud.edgehive.billing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.apache.camel.Exchange;
import org.apache.camel.Variable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.Template;

import cloud.edgehive.problem.ProblemException;
import cloud.edgehive.store.NodeIds;
import cloud.edgehive.web.WebRequest;

/**
 * Local mode's stand-in for the Stripe Checkout page when there is no Stripe key: it shows the order
 * the billing API checked and signed ({@link LocalCheckoutOrders}) with the plan's price, and on
 * completion builds the {@code checkout.session.completed} event Stripe would send, signs it exactly
 * as Stripe does with {@code stripe.webhook-secret}, and hands it to the route that posts it to the
 * real webhook over HTTP. The whole real pipeline runs from there. Its form carries a CSRF token
 * (double-submit: a SameSite=Strict cookie and the same value in the form), so no other web page
 * open in the browser can complete a purchase on the user's behalf.
 */
public class LocalCheckout {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    static final String CSRF_COOKIE = "edgehive-checkout-csrf";

    private final String webhookSecret;
    private final String userId;
    private final List<String> plans;
    private final Template page;
    private final Clock clock;

    /**
     * @param userId local mode's user (local.user-id), named on the page shown without an order
     * @param plans  the plans on sale; an order for another plan is refused
     */
    public LocalCheckout(String webhookSecret, String userId, List<String> plans, Path templates, Clock clock) {
        this.webhookSecret = webhookSecret;
        this.userId = userId;
        this.plans = plans;
        this.page = compile(templates.resolve("local-checkout.html"));
        this.clock = clock;
    }

    /**
     * The checkout page for the order in the variable {@code order}, or, without one, where to start
     * (the dashboard's Buy page, which checks the plan and quota first). Sets the CSRF cookie.
     */
    public String page(Exchange exchange, @Variable("order") CheckoutOrder order, @Variable("signedOrder") String signedOrder) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("userId", userId);
        if (order != null) {
            String csrf = token();
            cloud.edgehive.web.Pages.setCookie(exchange, CSRF_COOKIE + "=" + csrf + "; Path=/local/checkout; HttpOnly; SameSite=Strict");
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("signed", signedOrder);
            view.put("csrf", csrf);
            view.put("buyer", order.userId());
            view.put("plan", order.plan().name());
            view.put("price", order.plan().monthlyPrice() == null ? "price on request" : order.plan().monthlyPrice().toPlainString());
            view.put("region", order.region());
            view.put("instanceType", order.instanceType());
            view.put("storageGb", order.storageGb());
            view.put("nodeCount", order.nodeCount());
            view.put("email", order.userId().matches("[^@\\s]+@[^@\\s]+") ? order.userId() : order.userId() + "@example.com");
            values.put("order", view);
        }
        return page.execute(values);
    }

    /** The completing post must carry the page's CSRF token in its form and its cookie; 403 otherwise. */
    public void checkCsrf(Exchange exchange) {
        WebRequest request = WebRequest.of(exchange);
        String cookie = request.cookie(CSRF_COOKIE);
        String field = request.field("csrf");
        if (cookie == null || field == null || cookie.isEmpty()
                || !MessageDigest.isEqual(cookie.getBytes(StandardCharsets.UTF_8), field.getBytes(StandardCharsets.UTF_8))
                || !request.sameOrigin()) {
            throw new ProblemException(403, "Form refused",
                    "This checkout form did not come from the checkout page. Open the checkout link again");
        }
    }

    /** The signed order the form posted back (field {@code order}). */
    public String postedOrder(Exchange exchange) {
        return WebRequest.of(exchange).field("order");
    }

    /**
     * Builds the event for the order (variable {@code order}) and the buyer's email (form field),
     * puts it in the body, its {@code Stripe-Signature} value in the variable {@code signature}, and
     * the purchase's session id and node ids in the variable {@code session}.
     */
    public void complete(Exchange exchange, @Variable("order") CheckoutOrder order) {
        String email = WebRequest.of(exchange).form().getOrDefault("email", "").trim();
        if (!email.matches("[^@\\s]+@[^@\\s]+")) {
            throw new ProblemException(400, "Invalid email", "An email address is needed to receive the node's URL");
        }
        if (!plans.isEmpty() && !plans.contains(order.plan().name())) {
            throw new ProblemException(400, "Unknown plan", "Choose one of " + plans);
        }
        long now = clock.instant().getEpochSecond();
        String sessionId = "cs_local_" + hexId();
        ObjectNode metadata = JSON.createObjectNode().put("userId", order.userId()).put("plan", order.plan().name())
                .put("region", order.region()).put("instanceType", order.instanceType())
                .put("storageGb", String.valueOf(order.storageGb())).put("nodeCount", String.valueOf(order.nodeCount()))
                .put("nodeLimit", String.valueOf(order.nodeLimit()));
        ObjectNode session = JSON.createObjectNode()
                .put("id", sessionId).put("object", "checkout.session").put("mode", "subscription")
                .put("payment_status", "paid").put("status", "complete")
                .put("client_reference_id", order.userId())
                .put("customer", order.customerId() != null ? order.customerId() : "cus_local_" + hexId())
                .put("subscription", "sub_local_" + hexId())
                .put("created", now);
        if (order.plan().monthlyPrice() != null) {
            session.put("amount_total", order.plan().monthlyPrice().movePointRight(2).longValueExact()).put("currency", "usd");
        }
        session.putObject("customer_details").put("email", email);
        session.set("metadata", metadata);
        ObjectNode event = JSON.createObjectNode()
                .put("id", "evt_local_" + hexId()).put("object", "event").put("api_version", "2025-03-31.basil")
                .put("created", now).put("livemode", false).put("type", "checkout.session.completed");
        event.putObject("data").set("object", session);
        byte[] body = event.toString().getBytes(StandardCharsets.UTF_8);
        exchange.setVariable("signature", signature(now, body));
        exchange.getMessage().setBody(body);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("sessionId", sessionId);
        summary.put("nodes", java.util.stream.IntStream.range(0, order.nodeCount()).mapToObj(i -> NodeIds.forPurchase(sessionId, i)).toList());
        exchange.setVariable("session", summary);
    }

    /** Where Stripe would send the buyer after paying: the order's return URL with the session id. */
    public String returnUrl(@Variable("order") CheckoutOrder order, @Variable("session") Map<String, Object> session) {
        return StripeBilling.withQuery(order.returnUrl(), "checkout=success&session_id=" + session.get("sessionId"));
    }

    /** {@code t=<unix>,v1=<hex HMAC-SHA256 of "t.body">}, keyed with the whole whsec_ secret, as Stripe signs. */
    String signature(long timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(webhookSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return "t=" + timestamp + ",v1=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Ids shaped like Stripe's (cs_…, cus_…, evt_…). */
    private static String hexId() {
        byte[] value = new byte[9];
        RANDOM.nextBytes(value);
        return HexFormat.of().formatHex(value);
    }

    private static String token() {
        byte[] value = new byte[24];
        RANDOM.nextBytes(value);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(value);
    }

    private static Template compile(Path file) {
        try {
            return Mustache.compiler().escapeHTML(true).defaultValue("").emptyStringIsFalse(true).compile(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read template " + file, e);
        }
    }
}
