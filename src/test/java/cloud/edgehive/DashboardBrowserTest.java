package cloud.edgehive;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Response;
import com.microsoft.playwright.options.AriaRole;

import cloud.edgehive.harness.Chromium;
import cloud.edgehive.harness.Emulators;
import cloud.edgehive.harness.MutableClock;
import cloud.edgehive.harness.RunningService;
import cloud.edgehive.harness.Tokens;
import cloud.edgehive.store.DeadLetterStore;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeState;

/**
 * The dashboard in a real browser (Debian's chromium, headless, through Playwright) against the real
 * service in local mode: DynamoDB Local, nodes as local processes, emails as files, the local checkout
 * completing through the real webhook, and stripe-mock for the billing portal. Each user is a fresh
 * browser context. Screenshots of the main pages land in target/screenshots on every run.
 */
class DashboardBrowserTest {

    private static final Duration READY_WITHIN = Duration.ofSeconds(60);

    private static Path data;
    private static RunningService service;
    private static Chromium chromium;
    private static final MutableClock clock = new MutableClock();

    @BeforeAll
    static void start() throws IOException {
        data = Files.createTempDirectory("dashboard-test");
        Map<String, String> p = new LinkedHashMap<>();
        p.put("local.data-dir", data.toString());
        p.put("slots.base", String.valueOf(Emulators.freePortRange(32)));
        p.put("camel.main.shutdownTimeout", "5");
        // The tests' token issuer stands in for the host SaaS (and local mode's own secret).
        p.put("auth.jwt.secret", RunningService.JWT_SECRET);
        // Billing portal sessions from stripe-mock; buying still ends on the local checkout page.
        p.put("stripe.api-key", "sk_test_dashboard");
        p.put("stripe.api-base", Emulators.stripe().url());
        p.put("stripe.max-network-retries", "0");
        // Each node process starts two seconds late, so the node is surely not READY when the list first shows.
        p.put("local.node-command", "sh -c 'sleep 2; exec \"" + Path.of(System.getProperty("java.home"), "bin", "java")
                + "\" -Xmx24m -cp \"" + Path.of("target", "classes").toAbsolutePath() + "\" cloud.edgehive.local.DemoNode"
                + " \"$EDGE_HIVE_PORT\" \"$EDGE_HIVE_NODE_ID\"'");
        // Real time, until a test moves it (the expired session).
        service = RunningService.start("local", p, Map.of("clock", clock));
        chromium = Chromium.launch();
    }

    @AfterAll
    static void stop() throws IOException {
        if (chromium != null) {
            chromium.close();
        }
        if (service != null) {
            service.close();
        }
        LocalModeTest.killRecordedNodes(data.resolve("nodes"));
        try (Stream<Path> files = Files.walk(data)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    @Test
    void aUserBuysWatchesRestartsAndTerminatesANodeInTheBrowserAlone() throws Exception {
        BrowserContext ada = chromium.user();
        Page page = signIn(ada, Tokens.user("ada"));

        // Empty state with a call to action.
        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("No nodes yet"))).isVisible();
        Chromium.screenshot(page, "nodes-empty");

        // An error from the billing API (no Stripe customer yet) is a readable page, not JSON.
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Billing")).click();
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Manage billing")).click();
        assertThat(page.locator("h1")).hasText("No billing account");
        assertThat(page.locator(".detail")).containsText("buy a plan first");
        Chromium.screenshot(page, "error");

        // Buy: plan with its monthly price, region, type and size from configuration; keyboard only.
        page.navigate(service.url("/app/nodes"));
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Buy your first node")).press("Enter");
        assertThat(page.locator(".plan").filter(new Locator.FilterOptions().setHasText("Pro"))).containsText("$25.00 per month");
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Choose Pro")).press("Enter");
        page.getByLabel("Disk size (GB)").selectOption("50");
        assertThat(page.getByLabel("Region")).hasValue("us-east-1");
        assertThat(page.getByLabel("Machine type")).hasValue("t4g.small");
        Chromium.screenshot(page, "buy");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Continue to payment")).click();

        // Local mode's checkout page: the order as checked, with the plan's price.
        assertThat(page.locator("h1")).hasText("Checkout (local mode)");
        assertThat(page.locator("[data-price]")).hasText("$25.00 per month");
        assertThat(page.locator(".facts")).containsText("50 GB");
        page.getByLabel("Email for the node's address").fill("ada@example.com");
        Chromium.screenshot(page, "checkout");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Complete purchase")).click();

        // Back on the list: the node appears and reaches READY while the page stays loaded.
        page.waitForURL("**/app/nodes?checkout=success**");
        // What the list shows at first (the node not there yet, or on its way), then every change.
        page.evaluate("() => { window.loadedOnce = true; const shown = () => Array.from(document.querySelectorAll('#nodes .badge'))"
                + ".map(b => b.textContent).join(',') || 'none'; window.seen = [shown()];"
                + " new MutationObserver(() => window.seen.push(shown()))"
                + ".observe(document.getElementById('nodes'), {childList: true, subtree: true}); }");
        Locator badge = page.locator("#nodes .node .badge");
        assertThat(badge).hasText("Ready", new com.microsoft.playwright.assertions.LocatorAssertions.HasTextOptions()
                .setTimeout(READY_WITHIN.toMillis()));
        assertEquals(Boolean.TRUE, page.evaluate("() => window.loadedOnce === true"), "READY arrived without a reload");
        @SuppressWarnings("unchecked")
        List<String> seen = (List<String>) page.evaluate("() => window.seen");
        assertFalse(seen.get(0).equals("Ready"), "the list first showed the node before READY (or not yet): " + seen);

        String nodeId = page.locator("#nodes .node").getAttribute("data-node-id");
        Node node = service.nodes().get(nodeId);
        assertEquals(NodeState.READY, node.state());
        assertEquals(50, node.storageGb());
        // One name everywhere: the list shows the DNS label beside the id, as the email does.
        assertThat(page.locator("#nodes .node h2")).hasText(node.hostLabel());
        assertThat(page.locator("#nodes .node .meta")).containsText(nodeId);
        String email = onlyMail("node-ready", node.hostLabel());
        assertTrue(email.contains(node.hostLabel()), email);
        assertTrue(email.contains(service.url("/app/nodes/" + nodeId)), "the email links to the node's page: " + email);
        Chromium.screenshot(page, "nodes");
        page.setViewportSize(390, 844);
        Chromium.screenshot(page, "nodes-phone");
        assertEquals(Boolean.TRUE, page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"),
                "no sideways scrolling on a phone");
        page.setViewportSize(1280, 860);

        // Its URL, as a link, answers: the node's own process.
        Locator link = page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName(node.url()));
        link.click();
        assertThat(page.locator("body")).containsText(nodeId);
        page.goBack();

        // Another user never sees it, listed or by its address.
        BrowserContext bob = chromium.user();
        Page bobs = signIn(bob, Tokens.user("bob"));
        assertThat(bobs.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("No nodes yet"))).isVisible();
        Response foreign = bobs.navigate(service.url("/app/nodes/" + nodeId));
        assertEquals(404, foreign.status());
        assertThat(bobs.locator("h1")).hasText("Not found");
        assertFalse(bobs.content().contains(node.hostLabel()));
        bob.close();

        // A second Pro node is refused with the billing API's words.
        page.navigate(service.url("/app/buy?plan=pro"));
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Continue to payment")).click();
        assertThat(page.locator("h1")).hasText("Node quota reached");
        assertThat(page.locator(".detail")).containsText("The pro plan allows 1 node; 1 in use, 1 requested");
        Chromium.screenshot(page, "quota");

        // The node's page: name, id, steps done, history.
        page.navigate(service.url("/app/nodes"));
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName(node.hostLabel())).click();
        assertThat(page.locator("h1")).hasText(node.hostLabel());
        assertThat(page.locator(".timeline li[data-state=READY]")).hasCount(1);
        assertThat(page.locator(".steps li.done")).hasCount(6);
        Chromium.screenshot(page, "node");

        // A restart form posted without its CSRF token is refused and restarts nothing.
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Restart")).click();
        // The confirmation page first: on a loaded machine the click's navigation may still be on its way.
        assertThat(page.locator("h1")).hasText("Restart " + node.hostLabel() + "?");
        page.evaluate("() => document.querySelector('form.confirm input[name=csrf]').remove()");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Restart " + node.hostLabel())).click();
        assertThat(page.locator("h1")).hasText("Form refused");
        assertTrue(service.nodes().get(nodeId).history().stream().noneMatch(h -> "RESTARTING".equals(h.get("state"))));

        // Restart, confirmed with the keyboard.
        page.navigate(service.url("/app/nodes/" + nodeId + "/restart"));
        assertThat(page.locator("h1")).hasText("Restart " + node.hostLabel() + "?");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Restart " + node.hostLabel())).press("Enter");
        assertThat(page.locator("#notice")).hasText(node.hostLabel() + " was restarted.");
        assertThat(page.locator("#node-status .heading .badge")).hasText("Ready");
        assertThat(page.locator(".timeline li[data-state=RESTARTING]")).hasCount(1);

        // A failed payment as the dunning ladder records it on the node: a banner with the countdown.
        java.time.Instant failedAt = java.time.Instant.now();
        service.nodes().recordBilling(service.nodes().get(nodeId), Map.of("status", "past_due", "pastDueSince", failedAt.toString(),
                "suspendAt", failedAt.plus(Duration.ofDays(3)).toString(), "terminateAt", failedAt.plus(Duration.ofDays(17)).toString()), null);

        // Usage this period as a chart, and the billing portal (its URL from stripe-mock).
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Billing")).click();
        assertThat(page.locator("main > .banner")).containsText("Payment failed on");
        assertThat(page.locator("main > .banner")).containsText(node.hostLabel() + " is suspended in 2 days 23 hours");
        assertThat(page.locator("svg.chart rect.bar")).hasCount(2);
        assertThat(page.locator("table tbody")).containsText(node.hostLabel());
        assertThat(page.locator("svg.chart title")).hasText("Node-hours this period, per node and in total");
        Chromium.screenshot(page, "billing");
        // The browser is sent on to the portal's URL (which cannot load here: no network).
        Response sent = page.waitForResponse(r -> r.url().endsWith("/app/billing/portal"),
                () -> page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Manage billing")).click());
        assertEquals(303, sent.status());
        URI portal = URI.create(sent.headerValue("location").replace("{", "%7B").replace("}", "%7D"));
        // (getAuthority: stripe-mock's host has an underscore, which java.net.URI will not call a host.)
        assertTrue(portal.getAuthority().endsWith(".stripe.me") && portal.getPath().startsWith("/session/"), portal.toString());
        // Let the browser finish failing to reach it (no network here) before going on.
        page.waitForURL(url -> url.startsWith("chrome-error:") || url.contains(".stripe.me/"));

        // Terminate, with a confirmation; the node ends TERMINATED and its URL stops answering.
        page.navigate(service.url("/app/nodes/" + nodeId));
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Terminate")).click();
        assertThat(page.locator("h1")).hasText("Terminate " + node.hostLabel() + "?");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Terminate " + node.hostLabel())).click();
        assertThat(page.locator("#node-status .heading .badge")).hasText("Terminated");
        assertThat(page.locator("#node-status .heading .badge")).hasAttribute("data-state", "TERMINATED");
        assertEquals(NodeState.TERMINATED, service.nodes().get(nodeId).state());
        assertFalse(answers(node.url()), "the node's URL no longer answers");
        Chromium.screenshot(page, "node-terminated");
        ada.close();
    }

    @Test
    void anExpiredSessionLeadsBackToTheSignIn() throws Exception {
        BrowserContext cyd = chromium.user();
        Page page = signIn(cyd, Tokens.user("cyd"));
        assertEquals(Boolean.TRUE, cyd.cookies().stream().filter(c -> c.name.equals("edgehive-session")).findFirst().orElseThrow().httpOnly);
        // The session's time runs out (web.session-ttl-seconds, 8 hours), on the service's clock; the
        // record stays in DynamoDB (its TTL runs on real time), so the service's own expiry check decides.
        Duration later = Duration.ofHours(8).plusMinutes(1);
        clock.advance(later);
        try {
            // The open page's next live update takes it to the sign-in page.
            page.waitForURL("**/app/sign-in?expired", new Page.WaitForURLOptions().setTimeout(15_000));
            assertThat(page.locator("#notice")).containsText("Your session has ended");
            Chromium.screenshot(page, "sign-in-expired");
            page.navigate(service.url("/app/billing"));
            assertThat(page.locator("h1")).hasText("Sign in");
        } finally {
            clock.advance(later.negated());
        }
        cyd.close();
    }

    @Test
    void aSignInLinkWorksOnceAndSignOutEndsTheSession() {
        String token = Tokens.user("dan");
        BrowserContext first = chromium.user();
        Page page = signIn(first, token);
        BrowserContext second = chromium.user();
        Page again = second.newPage();
        again.navigate(service.url("/app/sign-in#token=" + token));
        assertThat(again.locator("h1")).hasText("Sign-in link already used");
        assertFalse(again.url().contains(token), "the token left the address bar");
        second.close();

        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign out")).click();
        assertThat(page.locator("#notice")).hasText("You are signed out.");
        page.navigate(service.url("/app/nodes"));
        assertThat(page.locator("h1")).hasText("Sign in");
        first.close();
    }

    @Test
    void theLocalCheckoutRefusesAPostWithoutItsCsrfToken() {
        BrowserContext eve = chromium.user();
        Page page = signIn(eve, Tokens.user("eve"));
        page.navigate(service.url("/app/buy?plan=team"));
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Continue to payment")).click();
        assertThat(page.locator("h1")).hasText("Checkout (local mode)");
        page.evaluate("() => document.querySelector('input[name=csrf]').remove()");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Complete purchase")).click();
        assertThat(page.locator("h1")).hasText("Form refused");
        assertTrue(service.nodes().byUser("eve").isEmpty(), "nothing was bought");
        eve.close();
    }

    @Test
    void anAdminSeesAllNodesDeadLettersTheReconcilerAndTheOperatorsCost() {
        BrowserContext plain = chromium.user();
        Page user = signIn(plain, Tokens.user("fay"));
        assertEquals(403, user.navigate(service.url("/app/admin/nodes")).status());
        assertThat(user.locator("h1")).hasText("Forbidden");
        plain.close();

        String letter = service.bean("deadLetters", DeadLetterStore.class).record("gone-node-0", "launch-node",
                "InstanceLimitExceeded: test cause", "{}");
        BrowserContext admin = chromium.user();
        Page page = signIn(admin, Tokens.admin("ops"));
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Admin")).click();
        assertThat(page.locator("h1")).hasText("All nodes");
        page.getByLabel("State").selectOption("all");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Filter")).click();
        Chromium.screenshot(page, "admin-nodes");

        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Dead letters")).click();
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName(letter)).click();
        assertThat(page.locator(".facts")).containsText("InstanceLimitExceeded: test cause");
        Chromium.screenshot(page, "admin-dead-letter");
        // Replaying work whose node is gone is refused with the admin API's reason, on a page.
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Replay")).click();
        assertThat(page.locator("h1")).hasText("Nothing to replay");
        assertThat(page.locator(".detail")).containsText("no longer exists");
        page.navigate(service.url("/app/admin/dead-letters/" + letter));
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Discard")).click();
        assertThat(page.locator("[data-status]")).hasText("DISCARDED");

        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Reconciler")).click();
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Run the audit now")).click();
        // One line per kind of finding: stuck nodes, orphaned resources, orphaned published names, drift.
        assertThat(page.locator(".audit")).hasCount(4);
        assertThat(page.locator(".audit strong")).hasText(new String[] {"stuck", "orphan", "access-orphan", "drift"});

        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Operator's cost")).click();
        assertThat(page.locator("main")).containsText("you, the operator");
        assertThat(page.locator("tbody tr").first()).containsText("12.26");
        assertThat(page.locator("tbody tr").first()).containsText("25.00");
        Chromium.screenshot(page, "admin-cost");
        admin.close();
    }

    /** Opens a sign-in link as the host application would hand it over, and lands on the node list. */
    private static Page signIn(BrowserContext context, String token) {
        Page page = context.newPage();
        page.navigate(service.url("/app/sign-in#token=" + token));
        try {
            page.waitForURL("**/app/nodes");
        } catch (com.microsoft.playwright.TimeoutError e) {
            Chromium.screenshot(page, "sign-in-failed");
            throw new AssertionError("sign-in did not reach the node list; at " + page.url() + ":\n" + page.content(), e);
        }
        assertThat(page.locator("h1")).hasText("Your nodes");
        return page;
    }

    private static String onlyMail(String kind, String nodeName) throws IOException {
        try (Stream<Path> files = Files.list(data.resolve("outbox"))) {
            List<Path> matching = files.filter(f -> f.getFileName().toString().contains(kind + "." + nodeName)).toList();
            assertEquals(1, matching.size(), matching::toString);
            return Files.readString(matching.get(0), StandardCharsets.UTF_8);
        }
    }

    private static boolean answers(String url) {
        try {
            return RunningService.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).GET().build())
                    .statusCode() > 0;
        } catch (IllegalStateException refused) {
            return false;
        }
    }

}
