package cloud.edgehive.billing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;

import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.model.checkout.Session;
import com.stripe.net.RequestOptions;
import com.stripe.param.checkout.SessionCreateParams;

import cloud.edgehive.problem.ProblemException;

/**
 * Creates the Stripe sessions a buyer is sent to: Checkout (subscription mode) and the billing
 * portal. The API key never leaves this class: it is not logged, and Stripe's errors reach the
 * caller only as a generic 502.
 */
public class StripeBilling {

    private static final Logger LOG = LoggerFactory.getLogger(StripeBilling.class);

    /** Retries of the same order within this window reuse one Checkout session (a double click, a client retry). */
    private static final Duration IDEMPOTENCY_WINDOW = Duration.ofMinutes(10);

    private final StripeClient stripe;
    private final boolean liveMode;
    private final Clock clock;

    /** {@code apiBase} empty: Stripe itself; otherwise e.g. stripe-mock. A missing key disables billing (503). */
    public StripeBilling(String apiKey, String apiBase, int maxNetworkRetries, Clock clock) {
        this.clock = clock;
        this.liveMode = apiKey != null && (apiKey.startsWith("sk_live_") || apiKey.startsWith("rk_live_"));
        if (apiKey == null) {
            this.stripe = null;
            return;
        }
        StripeClient.StripeClientBuilder builder = StripeClient.builder().setApiKey(apiKey).setMaxNetworkRetries(maxNetworkRetries);
        if (apiBase != null) {
            builder.setApiBase(apiBase);
        }
        this.stripe = builder.build();
    }

    /** Live keys charge real cards: return URLs must then be https. */
    public boolean liveMode() {
        return liveMode;
    }

    /**
     * A Checkout session for the order's plan, owned by the user ({@code client_reference_id}) with
     * the node's shape in the session's and the subscription's metadata, so every later event can be
     * traced back to the user and plan. Returns {@code {url}}.
     */
    public Map<String, String> checkout(@Variable("order") CheckoutOrder order) {
        StripeClient client = client();
        Map<String, String> metadata = Map.of(
                "userId", order.userId(),
                "plan", order.plan().name(),
                "region", order.region(),
                "instanceType", order.instanceType(),
                "storageGb", Integer.toString(order.storageGb()),
                "nodeCount", Integer.toString(order.nodeCount()),
                "nodeLimit", Integer.toString(order.nodeLimit()));
        SessionCreateParams.Builder params = SessionCreateParams.builder()
                .setMode(SessionCreateParams.Mode.SUBSCRIPTION)
                .addLineItem(SessionCreateParams.LineItem.builder().setPrice(order.plan().priceId()).setQuantity(1L).build())
                .setClientReferenceId(order.userId())
                .putAllMetadata(metadata)
                .setSubscriptionData(SessionCreateParams.SubscriptionData.builder().putAllMetadata(metadata).build())
                .setSuccessUrl(withQuery(order.returnUrl(), "checkout=success&session_id={CHECKOUT_SESSION_ID}"))
                .setCancelUrl(withQuery(order.returnUrl(), "checkout=canceled"));
        if (order.customerId() != null) {
            params.setCustomer(order.customerId());
        }
        RequestOptions options = RequestOptions.builder().setIdempotencyKey(idempotencyKey(order)).build();
        try {
            Session session = client.v1().checkout().sessions().create(params.build(), options);
            return Map.of("url", session.getUrl());
        } catch (StripeException e) {
            throw unavailable("Checkout session", e);
        }
    }

    /** A billing-portal session for the customer, returning to {@code returnUrl}. Returns {@code {url}}. */
    public Map<String, String> portal(@Variable("customerId") String customerId, @Variable("returnUrl") String returnUrl) {
        StripeClient client = client();
        try {
            com.stripe.model.billingportal.Session session = client.v1().billingPortal().sessions().create(
                    com.stripe.param.billingportal.SessionCreateParams.builder().setCustomer(customerId).setReturnUrl(returnUrl).build());
            return Map.of("url", session.getUrl());
        } catch (StripeException e) {
            throw unavailable("Billing portal session", e);
        }
    }

    /** Whether a Stripe key is configured, i.e. whether Stripe can be asked about a session. */
    public boolean configured() {
        return stripe != null;
    }

    /**
     * The prices a Checkout session charges, as Stripe records them (its line items): what a webhook's
     * metadata claims is checked against this. A failed call throws (the event is retried); only the
     * API key's absence is not an error ({@link #configured()}).
     */
    public java.util.List<String> sessionPriceIds(String sessionId) throws StripeException {
        java.util.List<String> prices = new java.util.ArrayList<>();
        for (com.stripe.model.LineItem item : client().v1().checkout().sessions().lineItems().list(sessionId).getData()) {
            if (item.getPrice() != null) {
                prices.add(item.getPrice().getId());
            }
        }
        return prices;
    }

    /** Same user, same order, same window: the same key, so Stripe answers a retry with the first session. */
    String idempotencyKey(CheckoutOrder order) {
        String material = String.join("\n", order.userId(), order.plan().name(), order.region(), order.instanceType(),
                Integer.toString(order.storageGb()), Integer.toString(order.nodeCount()), Integer.toString(order.nodeLimit()),
                order.returnUrl(), Long.toString(clock.millis() / IDEMPOTENCY_WINDOW.toMillis()));
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(material.getBytes(StandardCharsets.UTF_8));
            return "checkout-" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private StripeClient client() {
        if (stripe == null) {
            throw new ProblemException(503, "Billing unavailable", "Billing is not configured on this server");
        }
        return stripe;
    }

    private static ProblemException unavailable(String what, StripeException e) {
        // Type, code and request id are enough to find the call in Stripe's dashboard; the message may quote the request.
        LOG.warn("{} failed at Stripe: {} {} (status {}, request {})", what, e.getClass().getSimpleName(), e.getCode(),
                e.getStatusCode(), e.getRequestId());
        return new ProblemException(502, "Payment provider error", "Stripe did not create the session; try again shortly");
    }

    /** The URL with the query appended (before any fragment), as Stripe builds its success and cancel URLs. */
    static String withQuery(String url, String query) {
        int fragment = url.indexOf('#');
        String base = fragment < 0 ? url : url.substring(0, fragment);
        String tail = fragment < 0 ? "" : url.substring(fragment);
        return base + (base.contains("?") ? "&" : "?") + query + tail;
    }
}
