package cloud.edgehive.web;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.Exchange;
import org.apache.camel.Message;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.Template;

/**
 * Renders the dashboard's pages from {@code templates/web/*.html} (Mustache, HTML-escaped; a page's
 * body goes into {@code layout.html}) and writes every web answer: status, security headers, and
 * nothing the browser sent echoed back. Also the redirects, including htmx's (a live update whose
 * session ended must take the whole page to the sign-in, not swap a sign-in form into a list).
 */
public class Pages {

    /** The answer a browser may cache for a while: assets. Pages are never cached (they show private state). */
    static final String NO_STORE = "no-store";

    // Scripts and styles only from this server (htmx, app.js, app.css); no inline script can run, no
    // page may frame the dashboard, and no plugin or base-URL trick applies.
    private static final String CSP = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
            + "frame-ancestors 'none'";

    private final Path dir;
    private final Mustache.Compiler compiler;
    private final Map<String, Template> compiled = new ConcurrentHashMap<>();
    private final Map<String, Object> site;

    /**
     * @param site values every page sees (product name, htmx path, poll interval)
     */
    public Pages(Path dir, Map<String, Object> site) {
        this.dir = dir;
        this.site = Map.copyOf(site);
        // Missing values render empty; empty strings and zero count as false in {{#sections}}.
        this.compiler = Mustache.compiler().escapeHTML(true).defaultValue("").emptyStringIsFalse(true).zeroIsFalse(true)
                .withLoader(name -> new StringReader(read(name + ".html")));
        // Fail at start-up on a missing or broken template, not on the first visitor.
        for (String page : new String[] {"layout", "sign-in", "nodes", "node", "confirm", "buy", "billing", "error", "admin-nodes",
                "admin-dead-letters", "admin-dead-letter", "admin-reconciler", "admin-pricing", "node-list", "node-status", "alert"}) {
            template(page);
        }
    }

    /** A whole page: the named template inside the layout, with the signed-in user's navigation. */
    public void page(Exchange exchange, int status, String name, String title, Map<String, Object> model) {
        Map<String, Object> values = values(exchange, model);
        values.put("title", title);
        values.put("body", template(name).execute(values));
        write(exchange, status, "text/html; charset=utf-8", template("layout").execute(values));
    }

    /** A piece of a page that htmx swaps in (a live list, an alert). */
    public String fragment(Exchange exchange, String name, Map<String, Object> model) {
        return template(name).execute(values(exchange, model));
    }

    public void html(Exchange exchange, int status, String html) {
        write(exchange, status, "text/html; charset=utf-8", html);
    }

    /**
     * Sends the browser elsewhere after a form post (303, so the next request is a GET), or with
     * htmx, tells htmx to load that page as a whole.
     */
    public void redirect(Exchange exchange, String location) {
        boolean htmx = WebRequest.of(exchange).htmx();
        write(exchange, htmx ? 200 : 303, null, "");
        exchange.getMessage().setHeader(htmx ? "HX-Redirect" : "Location", location);
    }

    /** Nothing changed since the version the browser shows: htmx keeps the page as it is. */
    public void unchanged(Exchange exchange) {
        write(exchange, 204, null, "");
    }

    /** A short stable fingerprint of a fragment, so a live update answers 204 when nothing changed. */
    public static String version(String html) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(html.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sets a cookie on the answer about to be written (sign-in and sign-out). */
    public static void setCookie(Exchange exchange, String cookie) {
        exchange.setProperty("edgehive.web.setCookie", cookie);
    }

    private Map<String, Object> values(Exchange exchange, Map<String, Object> model) {
        Map<String, Object> values = new HashMap<>(site);
        WebSession session = exchange.getVariable("session", WebSession.class);
        if (session != null) {
            values.put("signedIn", true);
            values.put("userId", session.userId());
            values.put("admin", session.admin());
            values.put("csrf", session.csrf());
        }
        values.putAll(model);
        return values;
    }

    private void write(Exchange exchange, int status, String contentType, String body) {
        Message message = exchange.getMessage();
        // Nothing the browser sent (its cookie included) goes back out as a response header.
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        if (contentType != null) {
            message.setHeader(Exchange.CONTENT_TYPE, contentType);
        }
        cacheControl(exchange, NO_STORE);
        message.setHeader("Content-Security-Policy", CSP);
        message.setHeader("X-Content-Type-Options", "nosniff");
        // Same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on form posts, which the
        // same-origin check must refuse; other sites still learn nothing (no dashboard URL leaves it).
        message.setHeader("Referrer-Policy", "same-origin");
        message.setHeader("X-Frame-Options", "DENY");
        String cookie = exchange.getProperty("edgehive.web.setCookie", String.class);
        if (cookie != null) {
            message.setHeader("Set-Cookie", cookie);
        }
        message.setBody(body);
    }

    /**
     * Cache-Control straight on the HTTP response: Camel's HTTP header filter drops it from message
     * headers, and pages showing private state must never be stored.
     */
    public static void cacheControl(Exchange exchange, String value) {
        if (exchange.getIn() instanceof org.apache.camel.component.platform.http.vertx.HttpMessage http && http.getResponse() != null) {
            http.getResponse().putHeader("Cache-Control", value);
        }
    }

    private Template template(String name) {
        return compiled.computeIfAbsent(name, n -> compiler.compile(read(n + ".html")));
    }

    private String read(String file) {
        try {
            return Files.readString(dir.resolve(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read page template " + dir.resolve(file), e);
        }
    }
}
