package cloud.edgehive;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cloud.edgehive.billing.BillingRequests;
import cloud.edgehive.billing.CheckoutSessions;
import cloud.edgehive.billing.Dunning;
import cloud.edgehive.billing.Plans;
import cloud.edgehive.billing.PriceTable;
import cloud.edgehive.billing.StripeBilling;
import cloud.edgehive.billing.StripeWebhook;
import cloud.edgehive.billing.SubscriptionEvents;
import cloud.edgehive.mail.NodeMail;
import cloud.edgehive.store.SubscriptionStore;

/** Billing: the Stripe webhook, plans and prices, Checkout sessions, subscription events and the dunning ladder. */
final class BillingBeans {

    private static final Logger LOG = LoggerFactory.getLogger(BillingBeans.class);

    private BillingBeans() {
    }

    static void bind(Wiring w, StoreBeans.Store store, NodeMail mail) {
        Settings s = w.settings();
        Plans plans = Plans.from(s);
        SubscriptionStore subscriptions = new SubscriptionStore(store.dynamo(), store.tables(), w.clock(), w.owner(),
                s.seconds("provisioning.lease-seconds"));
        StripeBilling stripe = new StripeBilling(s.optional("stripe.api-key").orElse(null),
                s.optional("stripe.api-base").orElse(null), s.integer("stripe.max-network-retries"), w.clock());
        w.bind("stripeWebhook", new StripeWebhook(s.required("stripe.webhook-secret"),
                s.number("stripe.webhook-tolerance-seconds"), s.integer("stripe.webhook-max-bytes")));
        w.bind("checkoutSessions", new CheckoutSessions(store.nodes(), new CheckoutSessions.Defaults(
                s.text("plans.default"), s.text("aws.region"),
                s.text("compute.default-instance-type"), s.integer("compute.default-storage-gb"))));
        w.bind("plans", plans);
        w.bind("subscriptionStore", subscriptions);
        w.bind("stripeBilling", stripe);
        w.bind("billingRequests", new BillingRequests(plans, store.nodes(), subscriptions, stripe.liveMode(), returnOrigins(s)));
        w.bind("subscriptionEvents", new SubscriptionEvents(plans, subscriptions, s.text("plans.default")));
        w.bind("dunning", new Dunning(subscriptions, store.nodes(), plans, mail, new Dunning.Ladder(
                s.days("billing.suspend-after-days"), s.days("billing.terminate-after-days"),
                s.days("billing.cancel-grace-days"), s.days("billing.over-limit-grace-days")), w.clock()));
        w.bind("priceTable", priceTable(s));
        LOG.info("Billing wired: plans {}, Stripe {} mode", plans.names(), stripe.liveMode() ? "live" : "test");
    }

    private static PriceTable priceTable(Settings s) {
        Map<String, List<String>> prices = new LinkedHashMap<>();
        s.list("pricing.plans").forEach(plan -> prices.put(plan, s.list("pricing." + plan)));
        return new PriceTable(s.text("pricing.currency"), s.integer("pricing.hours-per-month"), prices);
    }

    /** The configured origins, and always the dashboard's own: its pages send buyers to Stripe and back. */
    private static List<String> returnOrigins(Settings s) {
        List<String> origins = new ArrayList<>(s.list("billing.return-url-origins"));
        s.optional("web.base-url").ifPresent(origins::add);
        return origins;
    }
}
