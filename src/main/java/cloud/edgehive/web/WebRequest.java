package cloud.edgehive.web;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.platform.http.vertx.HttpMessage;

import io.vertx.core.http.HttpServerRequest;

/**
 * What a page needs from the browser's request, read from the HTTP request itself rather than from
 * Camel headers: platform-http merges query parameters into the headers, so {@code ?Cookie=…} must
 * never be mistaken for the browser's cookie. Form fields come from the body only, never the query.
 */
public final class WebRequest {

    private final Map<String, String> cookies;
    private final Map<String, String> form;
    private final String origin;
    private final String host;
    private final String fetchSite;
    private final boolean htmx;

    private WebRequest(Map<String, String> cookies, Map<String, String> form, String origin, String host, String fetchSite,
                       boolean htmx) {
        this.cookies = cookies;
        this.form = form;
        this.origin = origin;
        this.host = host;
        this.fetchSite = fetchSite;
        this.htmx = htmx;
    }

    public static WebRequest of(Exchange exchange) {
        WebRequest cached = exchange.getProperty(WebRequest.class.getName(), WebRequest.class);
        if (cached != null) {
            return cached;
        }
        Message in = exchange.getIn();
        String cookie;
        String origin;
        String host;
        String fetchSite;
        String htmx;
        if (in instanceof HttpMessage http && http.getRequest() != null) {
            HttpServerRequest request = http.getRequest();
            cookie = String.join("; ", request.headers().getAll("Cookie"));
            origin = request.getHeader("Origin");
            host = request.getHeader("Host");
            fetchSite = request.getHeader("Sec-Fetch-Site");
            htmx = request.getHeader("HX-Request");
        } else {
            // Not over HTTP (a direct call): nothing here came from a browser.
            cookie = null;
            origin = null;
            host = null;
            fetchSite = null;
            htmx = null;
        }
        WebRequest request = new WebRequest(parseCookies(cookie), form(exchange), origin, host, fetchSite, "true".equals(htmx));
        exchange.setProperty(WebRequest.class.getName(), request);
        return request;
    }

    public String cookie(String name) {
        return cookies.get(name);
    }

    public String field(String name) {
        return form.get(name);
    }

    public Map<String, String> form() {
        return form;
    }

    /** Whether htmx made the request (a live update or a fragment), rather than a page load. */
    public boolean htmx() {
        return htmx;
    }

    /**
     * Whether a state-changing request comes from this site's own pages: a browser that says where a
     * request comes from (Sec-Fetch-Site, Origin) must say this site. Defence in depth beside the
     * CSRF token and the SameSite=Strict cookie.
     */
    public boolean sameOrigin() {
        if (fetchSite != null && !fetchSite.equals("same-origin") && !fetchSite.equals("none")) {
            return false;
        }
        if (origin == null || host == null) {
            return true;
        }
        int scheme = origin.indexOf("://");
        return scheme > 0 && origin.substring(scheme + 3).equalsIgnoreCase(host);
    }

    private static Map<String, String> parseCookies(String header) {
        Map<String, String> cookies = new HashMap<>();
        if (header == null) {
            return cookies;
        }
        for (String part : header.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                // The first of two cookies with one name wins, as browsers send the most specific first.
                cookies.putIfAbsent(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
            }
        }
        return cookies;
    }

    private static Map<String, String> form(Exchange exchange) {
        String method = exchange.getIn().getHeader(Exchange.HTTP_METHOD, String.class);
        Map<String, String> fields = new LinkedHashMap<>();
        if (!"POST".equals(method)) {
            return fields;
        }
        Object body = exchange.getIn().getBody();
        if (body instanceof Map<?, ?> map) {
            map.forEach((k, v) -> fields.put(String.valueOf(k), v == null ? "" : String.valueOf(v instanceof Iterable<?> many
                    ? many.iterator().next() : v)));
            return fields;
        }
        String text = exchange.getIn().getBody(String.class);
        if (text == null || text.isBlank()) {
            return fields;
        }
        for (String pair : text.trim().split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            fields.putIfAbsent(key, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return fields;
    }
}
