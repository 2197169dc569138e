package cloud.edgehive.billing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.apache.camel.Exchange;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.Template;

import cloud.edgehive.problem.ProblemException;
import cloud.edgehive.store.NodeIds;

/**
 * Local mode's stand-in for Stripe Checkout when there is no Stripe key: a page with the purchase
 * form, and a completion that builds the {@code checkout.session.completed} event Stripe would send,
 * signs it exactly as Stripe does with {@code stripe.webhook-secret}, and hands it to the route that
 * posts it to the real webhook over HTTP. The whole real pipeline runs from there.
 */
public class LocalCheckout {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String webhookSecret;
    private final String userId;
    private final List<String> plans;
    private final Template page;
    private final Template done;
    private final Clock clock;

    public LocalCheckout(String webhookSecret, String userId, List<String> plans, Path templates, Clock clock) {
        this.webhookSecret = webhookSecret;
        this.userId = userId;
        this.plans = plans;
        this.page = compile(templates.resolve("local-checkout.html"));
        this.done = compile(templates.resolve("local-checkout-done.html"));
        this.clock = clock;
    }

    /** The purchase form. */
    public String page() {
        return page.execute(Map.of("userId", userId, "plans", plans.stream().map(p -> Map.of("plan", p)).toList()));
    }

    /**
     * Reads the posted form (the server hands it over as headers or as the raw body), puts the signed
     * event in the body, its {@code Stripe-Signature} header value in the variable {@code signature},
     * and a summary of the purchase in the variable {@code session}.
     */
    public void complete(Exchange exchange) {
        Map<String, String> fields = form(exchange);
        String email = fields.getOrDefault("email", "").trim();
        if (!email.matches("[^@\\s]+@[^@\\s]+")) {
            throw new ProblemException(400, "Invalid email", "An email address is needed to receive the node's URL");
        }
        String plan = fields.getOrDefault("plan", plans.isEmpty() ? "pro" : plans.get(0));
        if (!plans.isEmpty() && !plans.contains(plan)) {
            throw new ProblemException(400, "Unknown plan", "Choose one of " + plans);
        }
        int count;
        try {
            count = Integer.parseInt(fields.getOrDefault("nodeCount", "1").trim());
        } catch (NumberFormatException e) {
            count = 0;
        }
        if (count < 1 || count > 10) {
            throw new ProblemException(400, "Invalid node count", "Buy between 1 and 10 nodes");
        }
        String user = fields.getOrDefault("userId", "").isBlank() ? userId : fields.get("userId").trim();
        long now = clock.instant().getEpochSecond();
        String sessionId = "cs_local_" + random();
        ObjectNode metadata = JSON.createObjectNode().put("plan", plan).put("nodeCount", String.valueOf(count));
        ObjectNode session = JSON.createObjectNode()
                .put("id", sessionId).put("object", "checkout.session").put("mode", "subscription")
                .put("payment_status", "paid").put("status", "complete")
                .put("client_reference_id", user)
                .put("customer", "cus_local_" + random()).put("subscription", "sub_local_" + random())
                .put("created", now);
        session.putObject("customer_details").put("email", email);
        session.set("metadata", metadata);
        ObjectNode event = JSON.createObjectNode()
                .put("id", "evt_local_" + random()).put("object", "event").put("api_version", "2025-03-31.basil")
                .put("created", now).put("livemode", false).put("type", "checkout.session.completed");
        event.putObject("data").set("object", session);
        byte[] body = event.toString().getBytes(StandardCharsets.UTF_8);
        exchange.setVariable("signature", signature(now, body));
        exchange.getMessage().setBody(body);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("sessionId", sessionId);
        summary.put("email", email);
        summary.put("plan", plan);
        summary.put("nodes", java.util.stream.IntStream.range(0, count).mapToObj(i -> NodeIds.forPurchase(sessionId, i)).toList());
        exchange.setVariable("session", summary);
    }

    /** The page shown once the webhook accepted the event: the node ids and where their email lands. */
    public String done(Map<String, Object> session) {
        Map<String, Object> values = new HashMap<>(session);
        values.put("nodes", ((List<?>) session.get("nodes")).stream().map(n -> Map.of("nodeId", n)).toList());
        return done.execute(values);
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

    private static Map<String, String> form(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        Map<String, String> fields = new HashMap<>();
        if (body instanceof Map<?, ?> map) {
            map.forEach((k, v) -> fields.put(String.valueOf(k), v == null ? "" : String.valueOf(v)));
        } else {
            String text = exchange.getMessage().getBody(String.class);
            if (text != null && !text.isBlank()) {
                fields.putAll(parse(text.trim()));
            }
        }
        for (String name : List.of("email", "plan", "nodeCount", "userId")) {
            Object header = exchange.getMessage().getHeader(name);
            if (!fields.containsKey(name) && header != null) {
                fields.put(name, String.valueOf(header));
            }
        }
        return fields;
    }

    private static Map<String, String> parse(String form) {
        Map<String, String> fields = new HashMap<>();
        for (String pair : form.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            fields.put(key, value);
        }
        return fields;
    }

    private static String random() {
        byte[] bytes = new byte[9];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static Template compile(Path file) {
        try {
            return Mustache.compiler().escapeHTML(true).compile(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read template " + file, e);
        }
    }
}
