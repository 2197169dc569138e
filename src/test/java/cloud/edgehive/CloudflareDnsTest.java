package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import cloud.edgehive.harness.Api;
import cloud.edgehive.harness.CloudflareDouble;
import cloud.edgehive.harness.RunningService;
import cloud.edgehive.harness.StripeSigner;
import cloud.edgehive.harness.TestCloud;
import cloud.edgehive.harness.Tokens;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeState;

/**
 * A purchase with access provider {@code cloudflare} (no tunnel), against moto and the Cloudflare
 * double: READY at {@code https://node-<name>.<zone>} with one proxied A record for the instance's
 * address, marked as this service's; no tunnel; terminate removes the record.
 */
class CloudflareDnsTest {

    private static final String API_TOKEN = "cf-api-token-dns-test";

    @Test
    void aNodeGetsOneProxiedRecordInTheCloudflareZoneAndTerminateRemovesIt() {
        try (TestCloud cloud = TestCloud.fresh("cloudflare-dns"); CloudflareDouble cloudflare = CloudflareDouble.start(API_TOKEN)) {
            Map<String, String> config = new LinkedHashMap<>(cloud.config());
            config.putAll(Map.of("access.provider", "cloudflare", "cloudflare.api-base", cloudflare.baseUrl(),
                    "cloudflare.api-token", API_TOKEN, "cloudflare.zone-id", CloudflareDouble.ZONE));
            try (RunningService service = RunningService.start(config)) {
                String session = "cs_test_cfdns";
                assertEquals(200, service.postSignedWebhook(StripeSigner.checkoutCompleted("evt_cfdns", session, "user-cfdns",
                        "cfdns@example.com", StripeSigner.PRO_PLAN)).statusCode());
                Node node = service.awaitNode(session + "-0", Duration.ofSeconds(90),
                        n -> n.state() == NodeState.READY || n.state().isFinal());
                assertEquals(NodeState.READY, node.state(), node::lastError);
                String hostname = node.hostLabel() + "." + TestCloud.ZONE;
                assertEquals("https://" + hostname, node.url());

                List<CloudflareDouble.Record> records = cloudflare.records();
                assertEquals(1, records.size(), records.toString());
                assertEquals(new CloudflareDouble.Record(records.get(0).id(), "A", hostname, node.host(), true, 1,
                        "edge-hive-" + node.nodeId()), records.get(0));
                assertTrue(cloudflare.liveTunnels().isEmpty(), "no tunnel without cloudflare-tunnel");
                assertEquals(0, cloudflare.refusedAuth());

                assertEquals(200, new Api(service).delete("/api/v1/nodes/" + node.nodeId(), Tokens.admin("ops-cfdns")).statusCode());
                assertTrue(cloudflare.records().isEmpty(), "terminate removed the record: " + cloudflare.records());
            }
        }
    }
}
