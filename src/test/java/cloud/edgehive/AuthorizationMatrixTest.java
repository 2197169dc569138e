package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.apache.camel.Route;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import cloud.edgehive.harness.Api;
import cloud.edgehive.harness.RunningService;
import cloud.edgehive.harness.StripeSigner;
import cloud.edgehive.harness.TestCloud;
import cloud.edgehive.harness.Tokens;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeState;
import cloud.edgehive.store.Tables;
import cloud.edgehive.web.SessionStore;
import cloud.edgehive.web.WebSession;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Every endpoint the service serves, against every kind of caller, from ONE table. The endpoints are
 * not listed by hand: they are read from the served OpenAPI document (the REST API, billing, dead
 * letters, pricing, the Stripe webhook) plus every platform-http route in the running context (the
 * dashboard under /app, the local-mode routes); an endpoint without a row fails the test the day it
 * is added, and a row without an endpoint fails too.
 *
 * Callers: no credential; bad credentials (expired, forged, another audience, alg none, not a JWT,
 * an unknown session cookie: each must be answered like no credential); user B; user A, the owner of
 * the node named in paths; an admin. Each caller sends both kinds of credential the service knows (a
 * bearer token and a dashboard session cookie with its form token), so each endpoint sees the one
 * it checks. A cell is the status expected, or several separated by '|' when the call's own outcome
 * may differ once past the checks (e.g. a restart of a node another call is restarting).
 * Rows run top to bottom, reads before writes; the node is terminated near the end, sign-out ends every session last.
 */
class AuthorizationMatrixTest {

    private static final String OWNER = "user-matrix-a";

    // {id}: the owner's node; {dl}: a dead letter that does not exist; {file}: a dashboard asset.
    // 303: the dashboard sends the browser to its sign-in page (no session), or on after a form.
    // The node agent's tunnel-token fetch takes only the node's own token: users' tokens and sessions are 401.
    // The owner's billing portal answers 503: past every check, this test service has no Stripe. 404 for every caller: a local-mode
    // route, which does not start outside local mode (LocalModeAttackTest covers it there).
    private static final String MATRIX = """
            # endpoint                                        none  bad   userB  owner  admin
            GET    /api/v1/openapi.json                        200   200   200    200    200
            GET    /api/v1/pricing                             200   200   200    200    200
            GET    /api/v1/nodes                               401   401   200    200    200
            GET    /api/v1/nodes/{id}                          401   401   404    200    200
            GET    /api/v1/usage                               401   401   200    200    200
            GET    /api/v1/admin/dead-letters                  401   401   403    403    200
            GET    /api/v1/admin/dead-letters/{dl}             401   401   403    403    404
            GET    /                                           303   303   303    303    303
            GET    /app                                        303   303   303    303    303
            GET    /app/assets/{file}                          200   200   200    200    200
            GET    /app/sign-in                                200   200   200    200    200
            GET    /app/nodes                                  303   303   200    200    200
            GET    /app/live/nodes                             303   303   200    200    200
            GET    /app/nodes/{id}                             303   303   404    200    200
            GET    /app/nodes/{id}/live                        303   303   404    200    200
            GET    /app/nodes/{id}/restart                     303   303   404    200    200
            GET    /app/nodes/{id}/terminate                   303   303   404    200    200
            GET    /app/buy                                    303   303   200    200    200
            GET    /app/billing                                303   303   200    200    200
            GET    /app/admin                                  303   303   403    403    303
            GET    /app/admin/nodes                            303   303   403    403    200
            GET    /app/admin/dead-letters                     303   303   403    403    200
            GET    /app/admin/dead-letters/{dl}                303   303   403    403    404
            GET    /app/admin/reconciler                       303   303   403    403    200
            GET    /app/admin/pricing                          303   303   403    403    200
            GET    /local/checkout                             404   404   404    404    404
            GET    /local/nodes/{id}                           404   404   404    404    404
            POST   /api/v1/stripe/webhook                      400   400   400    400    400
            POST   /api/v1/billing/checkout                    401   401   422    422    422
            POST   /api/v1/billing/portal                      401   401   422    422    422
            POST   /api/v1/nodes/provision                     401   401   403    403    422
            POST   /api/v1/admin/dead-letters/{dl}/replay      401   401   403    403    404
            POST   /app/session                                401   401   401    401    401
            POST   /app/buy                                    303   303   422    422    422
            POST   /app/billing/portal                         303   303   404    503    404
            POST   /app/admin/dead-letters/{dl}/replay         303   303   403    403    404
            POST   /app/admin/dead-letters/{dl}/discard        303   303   403    403    404
            POST   /app/admin/reconciler                       303   303   403    403    200
            POST   /local/checkout                             404   404   404    404    404
            POST   /app/nodes/{id}/restart                     303   303   404    303    303|409
            POST   /api/v1/nodes/{id}/restart                  401   401   404    200|409 200|409
            DELETE /api/v1/admin/dead-letters/{dl}             401   401   403    403    404
            DELETE /local/nodes/{id}                           404   404   404    404    404
            POST   /app/nodes/{id}/terminate                   303   303   404    303    303|409
            DELETE /api/v1/nodes/{id}                          401   401   404    200    200
            POST   /app/sign-out                               303   303   303    303    303
            GET    /node-agent/v1/nodes/{id}/tunnel-token      401   401   401    401    401
            """;

    private static TestCloud cloud;
    private static RunningService service;
    private static Node node;

    @BeforeAll
    static void start() {
        cloud = TestCloud.fresh("matrix-test");
        service = RunningService.start(cloud.config());
        assertEquals(200, service.postSignedWebhook(StripeSigner.checkoutCompleted("evt_matrix", "cs_test_matrix", OWNER,
                "matrix@example.com", StripeSigner.PRO_PLAN)).statusCode());
        node = service.awaitNode("cs_test_matrix-0", Duration.ofSeconds(60), n -> n.state() == NodeState.READY || n.state().isFinal());
        assertEquals(NodeState.READY, node.state(), node::lastError);
    }

    @AfterAll
    static void stop() {
        service.close();
        cloud.close();
    }

    record Row(String method, String path, Map<String, String> expected) {
        String key() {
            return method + " " + path;
        }
    }

    record Caller(String name, String group, String token, String cookie, String csrf) {
    }

    @Test
    void everyServedEndpointAnswersEachCallerAsTheTableSays() {
        List<Row> rows = table();
        TreeSet<String> declared = new TreeSet<>();
        rows.forEach(r -> declared.add(r.key()));
        TreeSet<String> served = served();
        List<String> mismatches = new ArrayList<>();
        served.stream().filter(e -> !declared.contains(e)).forEach(e -> mismatches.add(e + ": served, but has no row in the table"));
        declared.stream().filter(e -> !served.contains(e)).forEach(e -> mismatches.add(e + ": in the table, but not served"));

        List<Caller> callers = callers();
        for (Row row : rows) {
            for (Caller caller : callers) {
                String expected = row.expected().get(caller.group());
                HttpResponse<String> response = call(row, caller);
                if (!List.of(expected.split("\\|")).contains(String.valueOf(response.statusCode()))) {
                    mismatches.add(String.format("%-6s %-40s %-16s expected %-7s got %d %s", row.method(), row.path(), caller.name(),
                            expected, response.statusCode(), response.body().length() > 160 ? response.body().substring(0, 160)
                                    : response.body()));
                }
                if (response.statusCode() >= 400 && row.path().startsWith("/api/")
                        && !response.headers().firstValue("Content-Type").orElse("").equals("application/problem+json")) {
                    mismatches.add(row.key() + " " + caller.name() + ": a refusal that is not problem+json");
                }
                if (response.headers().firstValue("Authorization").isPresent()) {
                    mismatches.add(row.key() + " " + caller.name() + ": the token was echoed");
                }
                if (caller.group().equals("userB") && response.statusCode() == 200 && response.body().contains(node.nodeId())) {
                    mismatches.add(row.key() + ": user B saw A's node");
                }
            }
        }
        assertEquals(List.of(), mismatches, () -> String.join("\n", mismatches));
        assertTrue(service.nodes().byUser("user-matrix-b").isEmpty(), "user B bought nothing");
    }

    /** What the service serves: the OpenAPI document's operations plus every platform-http route. */
    private static TreeSet<String> served() {
        TreeSet<String> served = new TreeSet<>();
        served.add("GET /api/v1/openapi.json"); // the document, which does not list itself
        JsonNode doc = Api.json(new Api(service).get("/api/v1/openapi.json", null));
        doc.get("paths").fields().forEachRemaining(path -> path.getValue().fieldNames()
                .forEachRemaining(method -> served.add(method.toUpperCase() + " " + path.getKey())));
        for (Route route : service.context().getRoutes()) {
            String uri = route.getEndpoint().getEndpointUri();
            if (!uri.startsWith("platform-http:")) {
                continue;
            }
            String path = URI.create(uri.replace("{", "%7B").replace("}", "%7D")).getSchemeSpecificPart();
            String query = path.contains("?") ? path.substring(path.indexOf('?') + 1) : "";
            path = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
            path = path.replace("%7B", "{").replace("%7D", "}").replaceFirst("^/+", "/");
            String methods = "GET,POST,PUT,DELETE";
            for (String parameter : query.split("&")) {
                if (parameter.startsWith("httpMethodRestrict=")) {
                    methods = parameter.substring("httpMethodRestrict=".length()).replace("%2C", ",");
                }
            }
            for (String method : methods.split(",")) {
                served.add(method.trim() + " " + path);
            }
        }
        // Same placeholder names as the table, whatever each route calls its parameter.
        TreeSet<String> normalised = new TreeSet<>();
        for (String endpoint : served) {
            normalised.add(endpoint.replaceAll("/dead-letters/\\{[^}]+}", "/dead-letters/{dl}").replaceAll("\\{(nodeId)}", "{id}"));
        }
        return normalised;
    }

    private static List<Row> table() {
        String[] groups = {"none", "bad", "userB", "owner", "admin"};
        List<Row> rows = new ArrayList<>();
        for (String line : MATRIX.strip().split("\n")) {
            if (line.isBlank() || line.strip().startsWith("#")) {
                continue;
            }
            String[] cells = line.trim().split("\\s+");
            Map<String, String> expected = new LinkedHashMap<>();
            for (int i = 0; i < groups.length; i++) {
                expected.put(groups[i], cells[2 + i]);
            }
            rows.add(new Row(cells[0], cells[1], expected));
        }
        return rows;
    }

    private static List<Caller> callers() {
        SessionStore sessions = new SessionStore(service.bean("dynamo", DynamoDbClient.class), service.bean("tables", Tables.class),
                Clock.systemUTC());
        Instant soon = Instant.now().plusSeconds(600);
        List<Caller> callers = new ArrayList<>();
        callers.add(new Caller("no credential", "none", null, null, null));
        callers.add(new Caller("expired", "bad", Tokens.sign(RunningService.JWT_SECRET, Tokens.claims(OWNER, List.of("admin"),
                Instant.now().minusSeconds(120)).build()), null, null));
        callers.add(new Caller("wrong signature", "bad", Tokens.sign("another-secret-that-is-at-least-32-bytes!!",
                Tokens.claims(OWNER, List.of("admin"), soon).build()), null, null));
        callers.add(new Caller("wrong audience", "bad", Tokens.sign(RunningService.JWT_SECRET, Tokens.claims(OWNER, List.of("admin"), soon)
                .audience("someone-else").build()), null, null));
        callers.add(new Caller("alg none", "bad", unsigned(Tokens.claims(OWNER, List.of("admin"), soon).build().toString()), null, null));
        callers.add(new Caller("not a JWT", "bad", "not-a-jwt", null, null));
        callers.add(new Caller("unknown session", "bad", null, "made-up-session-id", "made-up-csrf"));
        callers.add(session(sessions, "user B", "userB", "user-matrix-b", false));
        callers.add(session(sessions, "user A (owner)", "owner", OWNER, false));
        callers.add(session(sessions, "admin", "admin", "ops-matrix", true));
        return callers;
    }

    private static Caller session(SessionStore sessions, String name, String group, String userId, boolean admin) {
        WebSession session = sessions.create(userId, admin, Duration.ofMinutes(10));
        return new Caller(name, group, admin ? Tokens.admin(userId) : Tokens.user(userId), session.id(), session.csrf());
    }

    private static HttpResponse<String> call(Row row, Caller caller) {
        String path = row.path().replace("{id}", node.nodeId()).replace("{dl}", "dl-none").replace("{file}", "app.css");
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service.url(path)));
        if (caller.token() != null) {
            request.header("Authorization", "Bearer " + caller.token());
        }
        if (caller.cookie() != null) {
            request.header("Cookie", "__Host-edgehive-session=" + caller.cookie()); // web.cookie-secure defaults to true
        }
        if (row.method().equals("GET")) {
            request.GET();
        } else if (row.method().equals("DELETE")) {
            request.DELETE();
        } else if (path.startsWith("/api/")) {
            request.header("Content-Type", "application/json").header("Idempotency-Key", "matrix-" + caller.name().replace(' ', '-'))
                    .POST(HttpRequest.BodyPublishers.ofString("{}"));
        } else {
            String form = "csrf=" + (caller.csrf() == null ? "" : caller.csrf());
            request.header("Content-Type", "application/x-www-form-urlencoded").header("Origin", service.url(""))
                    .POST(HttpRequest.BodyPublishers.ofString(form));
        }
        return RunningService.send(request.build());
    }

    private static String unsigned(String claimsJson) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claimsJson.getBytes(StandardCharsets.UTF_8)) + ".";
    }

}
