package cloud.edgehive.harness;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A stateful stand-in for the part of Cloudflare's API v4 the service uses: remotely managed tunnels
 * of one account (create, list, get, configurations, token, connections, delete) and the DNS records
 * of one zone (list with name and comment filters, create, overwrite, delete). It answers in
 * Cloudflare's envelope {@code {success, errors[], messages[], result}} with its shapes and error
 * codes, refuses a missing or wrong bearer token (403, code 10000), refuses a second live tunnel of
 * one name (code 1013) and a tunnel with connections being deleted, and can be told to fail the next
 * matching request, before or after doing it (a lost answer), or to do a node's next matching request
 * and then hold its answer until released ({@link #holdAnswerOf}): the caller, SIGKILLed meanwhile,
 * never learns that Cloudflare acted.
 */
public final class CloudflareDouble implements AutoCloseable {

    public static final String ACCOUNT = "0123456789abcdef0123456789abcdef";
    public static final String ZONE = "fedcba9876543210fedcba9876543210";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TUNNELS = Pattern.compile("/accounts/([^/]+)/cfd_tunnel(?:/([^/]+)(?:/(configurations|token|connections))?)?");
    private static final Pattern RECORDS = Pattern.compile("/zones/([^/]+)/dns_records(?:/([^/]+))?");

    /** A tunnel as the double keeps it; {@code connections} > 0 once "cloudflared" connected. */
    public static final class Tunnel {
        public final String id = UUID.randomUUID().toString();
        public final String name;
        public final String secret = Base64.getEncoder().encodeToString(UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
        public final String createdAt = Instant.now().toString();
        public volatile String deletedAt;
        public volatile String status = "inactive";
        public volatile int connections;
        public volatile JsonNode config;

        Tunnel(String name) {
            this.name = name;
        }

        /** The token cloudflared runs with: base64 of {a: account, t: tunnel id, s: secret}, as Cloudflare's. */
        public String token() {
            String json = "{\"a\":\"" + ACCOUNT + "\",\"t\":\"" + id + "\",\"s\":\"" + secret + "\"}";
            return Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
        }
    }

    public record Record(String id, String type, String name, String content, boolean proxied, int ttl, String comment) {
    }

    private record Fault(String method, Pattern path, int status, String body, Map<String, String> headers, boolean afterApplying) {
    }

    /** A request to do and then not answer: method, path, and the tunnel name or record comment it is for. */
    private record Hold(String method, Pattern path, String owner) {
    }

    private final HttpServer server;
    private final String token;
    private final List<Tunnel> tunnels = new CopyOnWriteArrayList<>();
    private final Map<String, Record> records = new LinkedHashMap<>();
    private final List<Fault> faults = new ArrayList<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<String> created = new CopyOnWriteArrayList<>();
    private final List<Hold> holds = new ArrayList<>();
    private final List<Hold> holding = new CopyOnWriteArrayList<>();
    private volatile CountDownLatch release = new CountDownLatch(1);
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "cloudflare-double");
        thread.setDaemon(true);
        return thread;
    });
    private volatile int refusedAuth;

    private CloudflareDouble(String token) throws IOException {
        this.token = token;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/client/v4/", this::handle);
        // A thread per request: a held answer must not stop the double answering everyone else.
        server.setExecutor(threads);
        server.start();
    }

    public static CloudflareDouble start(String apiToken) {
        try {
            return new CloudflareDouble(apiToken);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The base URL to configure as {@code cloudflare.api-base}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/client/v4";
    }

    @Override
    public void close() {
        releaseHeld();
        server.stop(0);
        threads.shutdownNow();
    }

    // ---- what a test sets up and inspects

    /** The next request matching method and path regex answers this instead of being done. */
    public synchronized void failNext(String method, String pathRegex, int status, String body, Map<String, String> headers) {
        faults.add(new Fault(method, Pattern.compile(pathRegex), status, body, headers, false));
    }

    /** The next matching request is done, but its answer is lost: a 502 from "the edge" instead. */
    public synchronized void loseAnswerOfNext(String method, String pathRegex) {
        faults.add(new Fault(method, Pattern.compile(pathRegex), 502, "<html>Bad gateway</html>", Map.of(), true));
    }

    public synchronized void clearFaults() {
        faults.clear();
    }

    /**
     * The next request matching method and path regex made for {@code owner} (the tunnel's name for
     * tunnel calls, the record's comment for record creations: the service's {@code <prefix><node id>})
     * is done, and then not answered until {@link #releaseHeld()}: a caller killed meanwhile never sees
     * that it happened.
     */
    public synchronized void holdAnswerOf(String method, String pathRegex, String owner) {
        holds.add(new Hold(method, Pattern.compile(pathRegex), owner));
    }

    /** Whether a request {@link #holdAnswerOf} named was done and its answer is being held now. */
    public boolean holdsAnswerOf(String method, String pathRegex, String owner) {
        return holding.stream().anyMatch(h -> h.method().equals(method) && h.path().pattern().equals(pathRegex) && h.owner().equals(owner));
    }

    /** Sends every held answer (to whoever still listens) and holds nothing more. */
    public void releaseHeld() {
        synchronized (this) {
            holds.clear();
        }
        release.countDown();
        holding.clear();
        release = new CountDownLatch(1);
    }

    /** Every tunnel and record this double created, as {@code tunnel <name>} or {@code record <name>}, deleted ones too. */
    public List<String> created() {
        return List.copyOf(created);
    }

    public List<Tunnel> liveTunnels() {
        return tunnels.stream().filter(t -> t.deletedAt == null).toList();
    }

    public synchronized List<Record> records() {
        return List.copyOf(records.values());
    }

    public synchronized void addRecord(String type, String name, String content, boolean proxied, String comment) {
        String id = UUID.randomUUID().toString().replace("-", "");
        records.put(id, new Record(id, type, name, content, proxied, 1, comment));
    }

    /** A tunnel made by someone else (or by a worker that died before recording it). */
    public Tunnel addTunnel(String name) {
        Tunnel tunnel = new Tunnel(name);
        tunnels.add(tunnel);
        return tunnel;
    }

    /** Someone deletes the named tunnel behind the service's back. */
    public void deleteTunnel(String name) {
        liveTunnels().stream().filter(t -> t.name.equals(name)).forEach(t -> {
            t.connections = 0;
            t.deletedAt = Instant.now().toString();
        });
    }

    /** "cloudflared" connects to the named tunnel: healthy, with connections. */
    public void connect(String tunnelName, String status) {
        liveTunnels().stream().filter(t -> t.name.equals(tunnelName)).forEach(t -> {
            t.status = status;
            t.connections = "down".equals(status) || "inactive".equals(status) ? 0 : 2;
        });
    }

    /** Every request as {@code METHOD path}, in order. */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    public int refusedAuth() {
        return refusedAuth;
    }

    public synchronized void reset() {
        tunnels.clear();
        records.clear();
        faults.clear();
        requests.clear();
        created.clear();
        holds.clear();
        refusedAuth = 0;
    }

    // ---- the API

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath().substring("/client/v4".length());
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            byte[] raw = exchange.getRequestBody().readAllBytes();
            requests.add(method + " " + path);
            if (!("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                refusedAuth++;
                send(exchange, 403, envelope(false, null, error(10000, "Authentication error")), Map.of());
                return;
            }
            Fault fault = takeFault(method, path);
            if (fault != null && !fault.afterApplying()) {
                send(exchange, fault.status(), fault.body(), fault.headers());
                return;
            }
            JsonNode body = raw.length == 0 ? null : JSON.readTree(raw);
            Answer answer;
            Hold hold;
            CountDownLatch released = release;
            synchronized (this) {
                hold = takeHold(method, path, body);
                answer = route(method, path, query, body);
            }
            if (hold != null) {
                holding.add(hold);
                awaitRelease(released);
            }
            if (fault != null) {
                send(exchange, fault.status(), fault.body(), fault.headers());
                return;
            }
            send(exchange, answer.status(), answer.body(), Map.of());
        } catch (IOException callerGone) {
            // A held answer's caller may be dead by now (that is the point of holding it).
        } catch (RuntimeException e) {
            send(exchange, 500, envelope(false, null, error(10001, "double failed: " + e)), Map.of());
        }
    }

    private record Answer(int status, String body) {
    }

    private Answer route(String method, String path, Map<String, String> query, JsonNode body) {
        Matcher t = TUNNELS.matcher(path);
        if (t.matches()) {
            if (!ACCOUNT.equals(t.group(1))) {
                return new Answer(403, envelope(false, null, error(9109, "Unauthorized to access requested resource")));
            }
            return tunnels(method, t.group(2), t.group(3), query, body);
        }
        Matcher r = RECORDS.matcher(path);
        if (r.matches()) {
            if (!ZONE.equals(r.group(1))) {
                return new Answer(404, envelope(false, null, error(7003, "Could not route to " + path + ", perhaps your object identifier is invalid?")));
            }
            return records(method, r.group(2), query, body);
        }
        return new Answer(404, envelope(false, null, error(7000, "No route for that URI")));
    }

    private Answer tunnels(String method, String id, String sub, Map<String, String> query, JsonNode body) {
        if (id == null) {
            if (method.equals("POST")) {
                String name = body == null ? "" : body.path("name").asText("");
                if (name.isEmpty() || !"cloudflare".equals(body.path("config_src").asText())) {
                    return new Answer(400, envelope(false, null, error(1001, "Invalid tunnel request")));
                }
                if (liveTunnels().stream().anyMatch(x -> x.name.equals(name))) {
                    return new Answer(409, envelope(false, null, error(1013, "You already have a tunnel with this name.")));
                }
                Tunnel made = new Tunnel(name);
                tunnels.add(made);
                created.add("tunnel " + name);
                return ok(tunnelJson(made));
            }
            List<Tunnel> matching = tunnels.stream()
                    .filter(x -> !query.containsKey("name") || x.name.equals(query.get("name")))
                    .filter(x -> !query.containsKey("include_prefix") || x.name.startsWith(query.get("include_prefix")))
                    .filter(x -> !"false".equals(query.get("is_deleted")) || x.deletedAt == null)
                    .filter(x -> !"true".equals(query.get("is_deleted")) || x.deletedAt != null)
                    .toList();
            return page(matching.stream().map(this::tunnelJson).toList(), query);
        }
        Tunnel tunnel = tunnels.stream().filter(x -> x.id.equals(id)).findFirst().orElse(null);
        if (tunnel == null) {
            return new Answer(404, envelope(false, null, error(1003, "Tunnel not found")));
        }
        if (sub == null) {
            if (method.equals("DELETE")) {
                if (tunnel.deletedAt != null) {
                    return new Answer(404, envelope(false, null, error(1003, "Tunnel not found")));
                }
                if (tunnel.connections > 0) {
                    return new Answer(400, envelope(false, null, error(1022, "Cannot delete tunnel because it has active connections")));
                }
                tunnel.deletedAt = Instant.now().toString();
                tunnel.status = "down";
            }
            return ok(tunnelJson(tunnel));
        }
        switch (sub) {
            case "configurations" -> {
                if (method.equals("PUT")) {
                    JsonNode ingress = body == null ? null : body.path("config").path("ingress");
                    if (ingress == null || !ingress.isArray() || ingress.isEmpty()
                            || ingress.get(ingress.size() - 1).has("hostname")) {
                        return new Answer(400, envelope(false, null, error(1055, "The last ingress rule must match all URLs (no hostname)")));
                    }
                    tunnel.config = body.path("config");
                }
                ObjectNode result = JSON.createObjectNode().put("tunnel_id", tunnel.id).put("version", 1).put("source", "cloudflare");
                result.set("config", tunnel.config);
                return ok(result);
            }
            case "token" -> {
                return ok(JSON.getNodeFactory().textNode(tunnel.token()));
            }
            default -> {
                if (method.equals("DELETE")) {
                    tunnel.connections = 0;
                    tunnel.status = "down";
                }
                return ok(JSON.createObjectNode());
            }
        }
    }

    private Answer records(String method, String id, Map<String, String> query, JsonNode body) {
        if (id == null && method.equals("GET")) {
            String prefix = query.get("comment.startswith");
            List<JsonNode> matching = records.values().stream()
                    .filter(x -> !query.containsKey("name") || x.name().equalsIgnoreCase(query.get("name")))
                    .filter(x -> !query.containsKey("type") || x.type().equals(query.get("type")))
                    .filter(x -> prefix == null || (x.comment() != null && x.comment().toLowerCase().startsWith(prefix.toLowerCase())))
                    .sorted(Comparator.comparing(Record::name))
                    .map(x -> (JsonNode) recordJson(x)).toList();
            return page(matching, query);
        }
        if (id == null && method.equals("POST")) {
            Record wanted = recordFrom(UUID.randomUUID().toString().replace("-", ""), body);
            for (Record existing : records.values()) {
                if (!existing.name().equalsIgnoreCase(wanted.name())) {
                    continue;
                }
                if (existing.type().equals(wanted.type()) && existing.content().equals(wanted.content())) {
                    return new Answer(400, envelope(false, null, error(81057, "Record already exists.")));
                }
                if (existing.type().equals("CNAME") || wanted.type().equals("CNAME")) {
                    return new Answer(400, envelope(false, null, error(81053, "An A, AAAA, or CNAME record with that host already exists.")));
                }
            }
            records.put(wanted.id(), wanted);
            created.add("record " + wanted.name());
            return ok(recordJson(wanted));
        }
        Record record = id == null ? null : records.get(id);
        if (record == null) {
            return new Answer(404, envelope(false, null, error(81044, "Record does not exist.")));
        }
        return switch (method) {
            case "DELETE" -> {
                records.remove(id);
                yield ok(JSON.createObjectNode().put("id", id));
            }
            case "PUT" -> {
                Record replaced = recordFrom(id, body);
                records.put(id, replaced);
                yield ok(recordJson(replaced));
            }
            default -> ok(recordJson(record));
        };
    }

    private static Record recordFrom(String id, JsonNode body) {
        return new Record(id, body.path("type").asText(), body.path("name").asText(), body.path("content").asText(),
                body.path("proxied").asBoolean(false), body.path("ttl").asInt(1), body.path("comment").asText(null));
    }

    private ObjectNode tunnelJson(Tunnel tunnel) {
        ObjectNode json = JSON.createObjectNode()
                .put("id", tunnel.id).put("account_tag", ACCOUNT).put("name", tunnel.name)
                .put("created_at", tunnel.createdAt).put("config_src", "cloudflare").put("status", tunnel.status)
                .put("tun_type", "cfd_tunnel").put("remote_config", true);
        json.put("deleted_at", tunnel.deletedAt);
        json.putArray("connections");
        json.putObject("metadata");
        return json;
    }

    private static ObjectNode recordJson(Record record) {
        ObjectNode json = JSON.createObjectNode()
                .put("id", record.id()).put("zone_id", ZONE).put("type", record.type()).put("name", record.name())
                .put("content", record.content()).put("proxied", record.proxied()).put("proxiable", true)
                .put("ttl", record.ttl()).put("comment", record.comment())
                .put("created_on", Instant.now().toString()).put("modified_on", Instant.now().toString());
        json.putObject("meta");
        json.putArray("tags");
        return json;
    }

    private static Answer page(List<? extends JsonNode> items, Map<String, String> query) {
        int perPage = Integer.parseInt(query.getOrDefault("per_page", "20"));
        int page = Integer.parseInt(query.getOrDefault("page", "1"));
        int from = Math.min(items.size(), (page - 1) * perPage);
        int to = Math.min(items.size(), from + perPage);
        ArrayNode result = JSON.createArrayNode();
        items.subList(from, to).forEach(result::add);
        ObjectNode envelope = (ObjectNode) read(envelope(true, result));
        envelope.putObject("result_info").put("page", page).put("per_page", perPage).put("count", to - from)
                .put("total_count", items.size()).put("total_pages", Math.max(1, (items.size() + perPage - 1) / perPage));
        return new Answer(200, envelope.toString());
    }

    private static Answer ok(JsonNode result) {
        return new Answer(200, envelope(true, result));
    }

    public static String envelope(boolean success, JsonNode result, JsonNode... errors) {
        ObjectNode envelope = JSON.createObjectNode();
        envelope.put("success", success);
        ArrayNode list = envelope.putArray("errors");
        for (JsonNode e : errors) {
            list.add(e);
        }
        envelope.putArray("messages");
        envelope.set("result", result);
        return envelope.toString();
    }

    public static JsonNode error(int code, String message) {
        return JSON.createObjectNode().put("code", code).put("message", message);
    }

    /** The hold this request matches (used up), from the tunnel or record it is for. */
    private Hold takeHold(String method, String path, JsonNode body) {
        if (holds.isEmpty()) {
            return null;
        }
        String owner = null;
        Matcher t = TUNNELS.matcher(path);
        if (t.matches() && t.group(2) == null) {
            owner = body == null ? null : body.path("name").asText(null);
        } else if (t.matches()) {
            owner = tunnels.stream().filter(x -> x.id.equals(t.group(2))).map(x -> x.name).findFirst().orElse(null);
        } else if (RECORDS.matcher(path).matches() && body != null) {
            owner = body.path("comment").asText(null);
        }
        for (int i = 0; i < holds.size(); i++) {
            Hold h = holds.get(i);
            if (h.method().equals(method) && h.path().matcher(path).matches() && h.owner().equals(owner)) {
                return holds.remove(i);
            }
        }
        return null;
    }

    private static void awaitRelease(CountDownLatch released) {
        try {
            released.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized Fault takeFault(String method, String path) {
        for (int i = 0; i < faults.size(); i++) {
            Fault f = faults.get(i);
            if (f.method().equals(method) && f.path().matcher(path).matches()) {
                return faults.remove(i);
            }
        }
        return null;
    }

    private static void send(HttpExchange exchange, int status, String body, Map<String, String> headers) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", body.startsWith("{") ? "application/json" : "text/html");
        headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> query = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return query;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            query.put(key, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return query;
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
