package cloud.edgehive.access.cloudflare;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import cloud.edgehive.pipeline.ProviderRejected;
import cloud.edgehive.pipeline.ProviderUnavailable;

/**
 * Cloudflare's REST API v4 as it is: a bearer API token, and every answer the envelope
 * {@code {success, errors[], messages[], result}}. {@code success:false} is a failure whatever the
 * HTTP status. 429 (with its {@code retry-after}), 5xx and network faults are
 * {@link ProviderUnavailable}; any other refusal is {@link ProviderRejected} carrying Cloudflare's
 * error codes, for the dead letter.
 * <p>
 * Neither the token nor any body is ever logged or put in an exception: some results are secrets
 * themselves (a tunnel's token).
 */
public class CloudflareApi {

    public static final String PROVIDER = "cloudflare";
    private static final Logger LOG = LoggerFactory.getLogger(CloudflareApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PAGE_SIZE = 50;

    private final HttpClient http;
    private final String base;
    private final String authorization;
    private final Duration timeout;

    public CloudflareApi(String baseUrl, String apiToken, Duration timeout) {
        if (apiToken == null || apiToken.isBlank()) {
            throw new IllegalStateException("Missing configuration: cloudflare.api-token (environment variable CLOUDFLARE_API_TOKEN)");
        }
        this.base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.authorization = "Bearer " + apiToken.trim();
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public JsonNode get(String path, Map<String, String> query) {
        return send("GET", path, query, null, false).orElseThrow();
    }

    /** The result, or empty when Cloudflare answers 404 (no such object). */
    public Optional<JsonNode> find(String path) {
        return send("GET", path, Map.of(), null, true);
    }

    /** Every item of a paginated list, page after page. */
    public List<JsonNode> list(String path, Map<String, String> query) {
        List<JsonNode> items = new ArrayList<>();
        for (int page = 1; ; page++) {
            Map<String, String> paged = new LinkedHashMap<>(query);
            paged.put("page", String.valueOf(page));
            paged.put("per_page", String.valueOf(PAGE_SIZE));
            JsonNode[] info = new JsonNode[1];
            JsonNode result = exchange("GET", path, paged, null, false, info).orElseThrow();
            result.forEach(items::add);
            JsonNode pages = info[0] == null ? null : info[0].get("total_pages");
            boolean more = pages != null && pages.isNumber() ? page < pages.asInt() : result.size() >= PAGE_SIZE;
            if (!more || result.isEmpty()) {
                return items;
            }
        }
    }

    public JsonNode post(String path, Object body) {
        return send("POST", path, Map.of(), body, false).orElseThrow();
    }

    public JsonNode put(String path, Object body) {
        return send("PUT", path, Map.of(), body, false).orElseThrow();
    }

    public JsonNode patch(String path, Object body) {
        return send("PATCH", path, Map.of(), body, false).orElseThrow();
    }

    /** True when something was deleted, false when Cloudflare answered 404 (already gone). */
    public boolean delete(String path) {
        return send("DELETE", path, Map.of(), null, true).isPresent();
    }

    private Optional<JsonNode> send(String method, String path, Map<String, String> query, Object body, boolean absentOk) {
        return exchange(method, path, query, body, absentOk, new JsonNode[1]);
    }

    private Optional<JsonNode> exchange(String method, String path, Map<String, String> query, Object body, boolean absentOk,
                                        JsonNode[] resultInfo) {
        String what = method + " " + path;
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path + queryString(query)))
                .timeout(timeout)
                .header("Authorization", authorization)
                .header("Accept", "application/json");
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(json(body), StandardCharsets.UTF_8));
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ProviderUnavailable(PROVIDER, what + " failed: " + e.getClass().getSimpleName(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderUnavailable(PROVIDER, what + " interrupted", null);
        }
        int status = response.statusCode();
        LOG.debug("Cloudflare {} answered {}", what, status);
        JsonNode envelope = parse(response.body());
        if (status == 429) {
            throw new ProviderUnavailable(PROVIDER, what + " rate limited (429)" + errors(envelope), retryAfter(response));
        }
        if (status >= 500) {
            throw new ProviderUnavailable(PROVIDER, what + " answered " + status + errors(envelope), retryAfter(response));
        }
        if (status == 404 && absentOk) {
            return Optional.empty();
        }
        if (envelope == null || !envelope.has("success")) {
            if (status >= 400) {
                throw new ProviderRejected(PROVIDER, "http-" + status, what + " answered " + status + " without an API envelope");
            }
            // A 2xx that is not the API's answer comes from something in between (a proxy, a captive portal).
            throw new ProviderUnavailable(PROVIDER, what + " answered " + status + " without an API envelope", null);
        }
        if (status >= 400 || !envelope.path("success").asBoolean(false)) {
            throw new ProviderRejected(PROVIDER, codes(envelope, status), what + " answered " + status + errors(envelope));
        }
        resultInfo[0] = envelope.get("result_info");
        JsonNode result = envelope.get("result");
        return Optional.of(result == null ? JSON.nullNode() : result);
    }

    private static String queryString(Map<String, String> query) {
        if (query.isEmpty()) {
            return "";
        }
        StringJoiner joined = new StringJoiner("&", "?", "");
        query.forEach((k, v) -> joined.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return joined.toString();
    }

    private static String json(Object body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(body);
            return node != null && node.isObject() ? node : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /** Cloudflare's error codes, e.g. {@code 81057}, or {@code 1003,1004}; the HTTP status when it gave none. */
    private static String codes(JsonNode envelope, int status) {
        StringJoiner codes = new StringJoiner(",");
        envelope.path("errors").forEach(e -> {
            if (e.hasNonNull("code")) {
                codes.add(e.get("code").asText());
            }
        });
        return codes.length() == 0 ? "http-" + status : codes.toString();
    }

    /** The errors as {@code : [code] message; …}, for the dead letter; empty when none. */
    private static String errors(JsonNode envelope) {
        if (envelope == null || !envelope.path("errors").isArray() || envelope.path("errors").isEmpty()) {
            return "";
        }
        StringJoiner text = new StringJoiner("; ", ": ", "");
        envelope.path("errors").forEach(e -> text.add("[" + e.path("code").asText("?") + "] " + e.path("message").asText("")));
        String all = text.toString();
        return all.length() > 400 ? all.substring(0, 400) : all;
    }

    /** {@code retry-after} in seconds or as an HTTP date; null when absent or unreadable. */
    static Duration retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("retry-after").map(String::trim).map(value -> {
            try {
                return Duration.ofSeconds(Math.max(0, Long.parseLong(value)));
            } catch (NumberFormatException notSeconds) {
                try {
                    Duration until = Duration.between(java.time.Instant.now(),
                            ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                    return until.isNegative() ? Duration.ZERO : until;
                } catch (DateTimeParseException unreadable) {
                    return null;
                }
            }
        }).orElse(null);
    }
}
