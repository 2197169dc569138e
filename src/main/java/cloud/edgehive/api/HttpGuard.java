package cloud.edgehive.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import cloud.edgehive.problem.Problems;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;

/**
 * The rule every HTTP request meets before any route (REST, webhook, local pages, whatever is added
 * later) sees it, installed once on the server's router by {@code SecurityWiring}:
 * <ul>
 * <li>A server bound to loopback answers only requests addressed to a loopback name (localhost,
 * 127.0.0.1, [::1]): a web page that rebinds its own DNS name to 127.0.0.1 gets 403 (DNS rebinding).</li>
 * <li>Credentials travel in headers only: platform-http turns query parameters into the same Camel
 * headers as request headers, so {@code ?Authorization=…} would authenticate, and the token would
 * sit in every proxy and access log. Such a request is refused: 401 for a token, 400 for a Stripe
 * signature.</li>
 * <li>A body declared larger than the cap is refused with a 413 problem before it is read (the body
 * handler's own limit, {@code camel.server.maxBodySize}, covers bodies sent without a length).</li>
 * <li>Nothing the client sent comes back as a response header: Camel copies message headers to the
 * response, and request headers and query parameters are message headers, so just before the
 * headers go out every one whose name and value the client sent is removed (only the framing
 * headers and a Content-Type equal to the request's are kept).</li>
 * </ul>
 * Refusals are {@code application/problem+json} like every other error.
 */
public final class HttpGuard implements Handler<RoutingContext> {

    private static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "127.0.0.1", "[::1]", "::1");
    /** Credentials the service reads from request headers, with the status a copy in the URL gets. */
    private static final Map<String, Integer> CREDENTIAL_HEADERS = Map.of("authorization", 401, "stripe-signature", 400);
    /** Set by the server itself; equal values in the request are a coincidence, not an echo. */
    private static final Set<String> FRAMING = Set.of("content-length", "transfer-encoding", "connection", "keep-alive");

    private final boolean loopbackOnly;
    private final long maxBodyBytes;
    private final Set<String> refusedQueryParameters;

    /**
     * @param loopbackOnly           the server is bound to a loopback address: refuse other Host names
     * @param maxBodyBytes           the largest body a request may declare
     * @param refusedQueryParameters further query parameters this server refuses (lower case), e.g.
     *                               the management server's {@code exposurelevel}
     */
    public HttpGuard(boolean loopbackOnly, long maxBodyBytes, Set<String> refusedQueryParameters) {
        this.loopbackOnly = loopbackOnly;
        this.maxBodyBytes = maxBodyBytes;
        this.refusedQueryParameters = Set.copyOf(refusedQueryParameters);
    }

    /** Whether a configured bind address is loopback-only (so the Host check applies). */
    public static boolean isLoopback(String bindHost) {
        if (bindHost == null || bindHost.isBlank()) {
            return false;
        }
        String host = bindHost.trim().toLowerCase(Locale.ROOT);
        return LOOPBACK_NAMES.contains(host) || host.startsWith("127.");
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (loopbackOnly && !loopbackAuthority(request)) {
            refuse(ctx, 403, "Host not allowed", "This server answers only requests addressed to localhost");
            return;
        }
        for (String name : ctx.queryParams().names()) {
            String lower = name.toLowerCase(Locale.ROOT);
            Integer status = CREDENTIAL_HEADERS.get(lower);
            if (status != null) {
                refuse(ctx, status, status == 401 ? "Unauthorized" : "Invalid signature",
                        "Credentials are accepted in the " + name + " header only, never in the URL");
                return;
            }
            if (refusedQueryParameters.contains(lower)) {
                refuse(ctx, 400, "Parameter not allowed", "The query parameter " + name + " is not accepted here");
                return;
            }
        }
        String length = request.getHeader("Content-Length");
        if (length != null && declaredLength(length) > maxBodyBytes) {
            refuse(ctx, 413, "Payload too large", "Request bodies are limited to " + maxBodyBytes + " bytes");
            return;
        }
        ctx.addHeadersEndHandler(ignored -> dropEchoes(ctx));
        ctx.next();
    }

    private static boolean loopbackAuthority(HttpServerRequest request) {
        HostAndPort authority = request.authority();
        return authority != null && LOOPBACK_NAMES.contains(authority.host().toLowerCase(Locale.ROOT));
    }

    private static long declaredLength(String header) {
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    /** Removes every response header value the client sent under the same name. */
    static void dropEchoes(RoutingContext ctx) {
        MultiMap response = ctx.response().headers();
        MultiMap requestHeaders = ctx.request().headers();
        MultiMap query = ctx.queryParams();
        for (String name : new ArrayList<>(response.names())) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (FRAMING.contains(lower)) {
                continue;
            }
            List<String> sent = new ArrayList<>(query.getAll(name));
            if (!lower.equals("content-type")) {
                sent.addAll(requestHeaders.getAll(name));
            }
            if (sent.isEmpty()) {
                continue;
            }
            List<String> kept = response.getAll(name).stream().filter(v -> !sent.contains(v)).toList();
            if (kept.size() != response.getAll(name).size()) {
                response.remove(name);
                if (!kept.isEmpty()) {
                    response.add(name, kept);
                }
            }
        }
    }

    private static void refuse(RoutingContext ctx, int status, String title, String detail) {
        ctx.response().setStatusCode(status)
                .putHeader("Content-Type", "application/problem+json")
                .end(Problems.json(status, title, detail));
    }
}
