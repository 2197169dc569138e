package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import cloud.edgehive.auth.NodeTokens;
import cloud.edgehive.harness.CloudflareDouble;
import cloud.edgehive.harness.Emulators;
import cloud.edgehive.harness.RunningService;
import cloud.edgehive.harness.ServiceProcess;
import cloud.edgehive.harness.StripeSigner;
import cloud.edgehive.harness.TestCloud;
import cloud.edgehive.harness.Tokens;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The attack: read what the service leaves behind (its whole log, dead letters, API answers, metrics,
 * the launch request a node boots with) looking for a configured secret, then forge webhooks and node
 * tokens with it. The service runs as production does, a separate process with every secret in its
 * environment, one of them fetched from AWS Secrets Manager (moto) through {{aws:…}}; it takes a
 * purchase and a handful of failures; then every trace is searched for every secret value.
 */
class SecretsStayOutTest {

    private static final SecureRandom RANDOM = new SecureRandom();

    @Test
    void noSecretValueReachesALogLineADeadLetterTheApiAMetricOrALaunchRequest() throws Exception {
        try (TestCloud cloud = TestCloud.fresh("secrets")) {
            Map<String, String> secrets = new LinkedHashMap<>();
            secrets.put("STRIPE_WEBHOOK_SECRET", "whsec_" + random());
            secrets.put("AUTH_JWT_SECRET", "jwt" + random());
            secrets.put("MAIL_SMTP_PASSWORD", "smtp" + random());
            secrets.put("STRIPE_API_KEY", "sk_test_" + random());
            secrets.put("RESEND_API_KEY", "re" + random());
            secrets.put("MAIL_RESEND_API_KEY", "re_" + random());
            secrets.put("CLOUDFLARE_API_TOKEN", "cfa" + random());
            // The node-token secret lives in Secrets Manager; the environment only names it.
            String nodeTokenSecret = "nts" + random();
            try (SecretsManagerClient vault = SecretsManagerClient.builder().endpointOverride(URI.create(Emulators.moto().url()))
                    .region(Region.US_EAST_1).credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
                    .build()) {
                vault.createSecret(b -> b.name("edgehive/test-node").secretString("{\"token-secret\":\"" + nodeTokenSecret + "\"}"));
            }
            Map<String, String> environment = new LinkedHashMap<>(secrets);
            environment.put("NODE_TOKEN_SECRET", "{{aws:edgehive/test-node#token-secret}}");
            environment.put("MAIL_SMTP_USERNAME", "edgehive");
            cloud.smtp().setUser("nodes@test.example", "edgehive", secrets.get("MAIL_SMTP_PASSWORD"));

            Map<String, String> config = new LinkedHashMap<>(cloud.config());
            config.remove("stripe.webhook-secret");
            config.remove("node.token-secret");
            config.remove("auth.jwt.secret");
            config.put("stripe.api-base", Emulators.stripe().url());
            config.put("stripe.max-network-retries", "0");
            // stripe-mock answers every session's line items with one fixture price: make it Pro's.
            config.put("plans.pro.price-id", "price_1PgafmB7WZ01zgkW02Hf9z6c");
            config.put("billing.check-initial-delay-ms", "3600000");
            // Nodes reached through Cloudflare Tunnels (the double), so the API token is used and each
            // node's tunnel token exists, to be looked for too.
            CloudflareDouble cloudflare = CloudflareDouble.start(secrets.get("CLOUDFLARE_API_TOKEN"));
            config.put("access.provider", "cloudflare-tunnel");
            config.putAll(RunningService.CLOUDFLARED_PINS);
            config.put("cloudflare.api-base", cloudflare.baseUrl());
            config.put("cloudflare.account-id", CloudflareDouble.ACCOUNT);
            config.put("cloudflare.zone-id", CloudflareDouble.ZONE);
            String tunnelToken;

            List<String> answers = new ArrayList<>();
            String log;
            String userData;
            try (ServiceProcess service = ServiceProcess.start("secrets", config, environment)) {
                String webhookSecret = secrets.get("STRIPE_WEBHOOK_SECRET");
                String admin = Tokens.sign(secrets.get("AUTH_JWT_SECRET"), Tokens.claims("ops", List.of("admin"),
                        java.time.Instant.now().plusSeconds(600)).build());

                // A purchase, all the way to READY with its email (SMTP login with the password).
                String session = "cs_test_secrets";
                answers.add(webhook(service, webhookSecret, StripeSigner.checkoutCompleted("evt_secrets", session, "user-secrets",
                        "secrets@example.com", StripeSigner.PRO_PLAN)).body());
                String nodeId = session + "-0";
                RunningService.await(Duration.ofSeconds(90), () -> get(service, "/api/v1/nodes/" + nodeId, admin).body()
                        .contains("\"state\":\"READY\""), () -> get(service, "/api/v1/nodes/" + nodeId, admin).body());
                assertEquals(1, cloud.mailsTo("secrets@example.com").size(), "the email went out through authenticated SMTP");
                HttpResponse<String> fetched = get(service, "/node-agent/v1/nodes/" + nodeId + "/tunnel-token",
                        new NodeTokens(nodeTokenSecret).tokenOf(nodeId));
                assertEquals(200, fetched.statusCode(), fetched.body());
                tunnelToken = com.fasterxml.jackson.databind.json.JsonMapper.builder().build().readTree(fetched.body())
                        .path("tunnelToken").asText();
                assertEquals(cloudflare.liveTunnels().get(0).token(), tunnelToken);

                // Failures: a forged and an unsigned webhook, an event that fails for good (no buyer:
                // a dead letter with its payload), a foreign session, bad and misplaced tokens.
                answers.add(webhook(service, "whsec_forged", StripeSigner.checkoutCompleted("evt_forged", "cs_x", "u", "u@example.com",
                        StripeSigner.PRO_PLAN)).body());
                answers.add(RunningService.send(HttpRequest.newBuilder(URI.create(service.url("/api/v1/stripe/webhook")))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build()).body());
                answers.add(webhook(service, webhookSecret, StripeSigner.checkoutCompleted("evt_nobody", "cs_test_nobody", "",
                        "nobody@example.com", StripeSigner.PRO_PLAN)).body());
                answers.add(webhook(service, webhookSecret, StripeSigner.checkoutCompleted("evt_gold", "cs_test_gold", "user-gold",
                        "gold@example.com", "{\"plan\":\"gold\"}")).body());
                answers.add(get(service, "/api/v1/nodes", "not-a-jwt").body());
                answers.add(get(service, "/api/v1/nodes?Authorization=Bearer%20" + admin, null).body());
                answers.add(get(service, "/api/v1/nodes", Tokens.sign("x".repeat(40), Tokens.claims("ops", List.of(), java.time.Instant
                        .now().plusSeconds(60)).build())).body());
                RunningService.await(Duration.ofSeconds(60), () -> get(service, "/api/v1/admin/dead-letters?status=ALL", admin).body()
                        .contains("evt_nobody"), () -> "no dead letter for evt_nobody");

                // What an operator or a user can read back.
                answers.add(get(service, "/api/v1/admin/dead-letters?status=ALL", admin).body());
                answers.add(get(service, "/api/v1/nodes/" + nodeId, admin).body());
                answers.add(get(service, "/api/v1/nodes", admin).body());
                answers.add(get(service, "/api/v1/openapi.json", null).body());
                answers.add(RunningService.send(HttpRequest.newBuilder(URI.create(service.managementUrl("/observe/metrics"))).GET().build())
                        .body());
                answers.add(RunningService.send(HttpRequest.newBuilder(URI.create(service.managementUrl("/observe/health"))).GET().build())
                        .body());
                var instance = RunningService.ec2().describeInstances(b -> b.filters(f -> f.name("tag:edgehive:node-id").values(nodeId)))
                        .reservations().get(0).instances().get(0);
                userData = new String(Base64.getDecoder().decode(RunningService.ec2().describeInstanceAttribute(b -> b
                        .instanceId(instance.instanceId()).attribute("userData")).userData().value()), StandardCharsets.UTF_8);
                log = service.log();
            } finally {
                cloudflare.close();
            }
            String deadLetters = RunningService.dynamo().scan(b -> b.tableName("edgehive-dead-letters")).items().toString();

            Map<String, String> values = new LinkedHashMap<>(secrets);
            values.put("NODE_TOKEN_SECRET (from Secrets Manager)", nodeTokenSecret);
            values.put("the node's tunnel token", tunnelToken);
            assertTrue(deadLetters.contains("evt_nobody"), "a dead letter was recorded: " + deadLetters);
            assertTrue(userData.contains("NODE_TOKEN='ehn_"), "the node got its own derived token: " + userData);
            values.forEach((name, value) -> {
                assertFalse(log.contains(value), name + " is in the log:\n" + excerpt(log, value));
                assertFalse(deadLetters.contains(value), name + " is in a dead letter");
                answers.forEach(answer -> assertFalse(answer.contains(value), name + " is in an answer: " + answer));
                assertFalse(userData.contains(value), name + " is in the launch request's user-data");
            });
            assertTrue(log.contains("Property-placeholders summary") && log.contains("stripe.webhook-secret = xxxxxx")
                    && log.contains("node.token-secret = xxxxxx"), "the start-up summary ran and masked the secret keys:\n" + log);
        }
    }

    private static HttpResponse<String> webhook(ServiceProcess service, String secret, String payload) {
        byte[] body = payload.getBytes(StandardCharsets.UTF_8);
        return RunningService.send(HttpRequest.newBuilder(URI.create(service.url("/api/v1/stripe/webhook")))
                .header("Content-Type", "application/json").header("Stripe-Signature", StripeSigner.header(secret, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    private static HttpResponse<String> get(ServiceProcess service, String path, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service.url(path))).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return RunningService.send(request.build());
    }

    private static String random() {
        byte[] bytes = new byte[20];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static String excerpt(String text, String value) {
        int at = text.indexOf(value);
        return text.substring(Math.max(0, text.lastIndexOf('\n', at) + 1), Math.min(text.length(), at + value.length() + 200));
    }
}
