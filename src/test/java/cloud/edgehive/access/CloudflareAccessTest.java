package cloud.edgehive.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import cloud.edgehive.access.cloudflare.CloudflareApi;
import cloud.edgehive.access.cloudflare.CloudflareDns;
import cloud.edgehive.access.cloudflare.CloudflareRecords;
import cloud.edgehive.access.cloudflare.CloudflareTunnelAccess;
import cloud.edgehive.access.cloudflare.CloudflareTunnels;
import cloud.edgehive.harness.CloudflareDouble;
import cloud.edgehive.harness.CloudflareDouble.Record;
import cloud.edgehive.pipeline.ProviderRejected;
import cloud.edgehive.pipeline.ProviderUnavailable;
import cloud.edgehive.store.Node;

/**
 * Both Cloudflare access providers against the stateful Cloudflare double: one tunnel, one ingress
 * set and one CNAME per node however often a step runs or loses an answer; an existing record
 * adopted; unpublish leaves nothing; each node its own token; orphans and drift found.
 */
class CloudflareAccessTest {

    private static final String TOKEN = "cf-token-access-test";
    private static final String ZONE_NAME = "nodes.test.example";
    private static CloudflareDouble cloudflare;
    private static CloudflareTunnelAccess tunnel;
    private static CloudflareDns dns;

    @BeforeAll
    static void start() {
        cloudflare = CloudflareDouble.start(TOKEN);
        CloudflareApi api = new CloudflareApi(cloudflare.baseUrl(), TOKEN, Duration.ofSeconds(5));
        CloudflareRecords records = new CloudflareRecords(api, CloudflareDouble.ZONE);
        tunnel = new CloudflareTunnelAccess(new CloudflareTunnels(api, CloudflareDouble.ACCOUNT), records,
                new CloudflareTunnelAccess.Config(ZONE_NAME, "http://localhost:8080", "edge-hive-", "https"));
        dns = new CloudflareDns(records, new CloudflareDns.Config(ZONE_NAME, true, 60, "edge-hive-", "https"));
    }

    @AfterAll
    static void stop() {
        cloudflare.close();
    }

    @BeforeEach
    void reset() {
        cloudflare.reset();
    }

    @Test
    void publishMakesOneTunnelOneIngressAndOneProxiedCname() {
        Node node = TestNodes.node("cs_test_tunnel-0", "203.0.113.10");
        Access access = tunnel.publish(node);
        Access again = tunnel.publish(node);

        String hostname = node.hostLabel() + "." + ZONE_NAME;
        assertEquals(new Access(hostname, "https://" + hostname, tunnels0(), "inactive"), access);
        assertEquals(access, again);
        List<CloudflareDouble.Tunnel> tunnels = cloudflare.liveTunnels();
        assertEquals(1, tunnels.size());
        assertEquals("edge-hive-cs_test_tunnel-0", tunnels.get(0).name);
        assertEquals("[{\"hostname\":\"" + hostname + "\",\"service\":\"http://localhost:8080\"},{\"service\":\"http_status:404\"}]",
                tunnels.get(0).config.path("ingress").toString());
        List<Record> records = cloudflare.records();
        assertEquals(1, records.size());
        assertEquals(new Record(records.get(0).id(), "CNAME", hostname, tunnels.get(0).id + ".cfargotunnel.com", true, 1,
                "edge-hive-cs_test_tunnel-0"), records.get(0));
        assertEquals(1, count("POST /accounts/.*/cfd_tunnel"), "the second publish found the tunnel by name");
        assertEquals(0, cloudflare.refusedAuth());
    }

    @Test
    void aLostAnswerAfterEachCallStillLeavesOneTunnelAndOneRecord() {
        Node node = TestNodes.node("cs_test_lost-0", "203.0.113.11");
        for (String[] call : List.of(new String[] {"POST", "/accounts/[^/]+/cfd_tunnel"},
                new String[] {"PUT", "/accounts/[^/]+/cfd_tunnel/[^/]+/configurations"},
                new String[] {"POST", "/zones/[^/]+/dns_records"})) {
            cloudflare.loseAnswerOfNext(call[0], call[1]);
            assertThrows(ProviderUnavailable.class, () -> tunnel.publish(node), "a lost answer is transient: " + call[1]);
        }
        tunnel.publish(node);
        assertEquals(1, cloudflare.liveTunnels().size());
        assertEquals(1, cloudflare.records().size());
    }

    @Test
    void anExistingRecordForTheNameIsAdoptedNotDuplicated() {
        Node node = TestNodes.node("cs_test_adopt-0", "203.0.113.12");
        String hostname = node.hostLabel() + "." + ZONE_NAME;
        cloudflare.addRecord("A", hostname, "198.51.100.1", false, null);
        tunnel.publish(node);
        List<Record> records = cloudflare.records();
        assertEquals(1, records.size(), records.toString());
        assertEquals("CNAME", records.get(0).type());
        assertEquals(cloudflare.liveTunnels().get(0).id + ".cfargotunnel.com", records.get(0).content());
    }

    @Test
    void unpublishLeavesNothingEvenWithAConnectedTunnel() {
        Node node = TestNodes.node("cs_test_gone-0", "203.0.113.13");
        tunnel.publish(node);
        cloudflare.connect("edge-hive-cs_test_gone-0", "healthy");
        tunnel.unpublish(node);
        tunnel.unpublish(node);
        assertTrue(cloudflare.liveTunnels().isEmpty());
        assertTrue(cloudflare.records().isEmpty());
        List<String> order = cloudflare.requests().stream().filter(r -> r.startsWith("DELETE")).toList();
        assertTrue(order.get(0).contains("/dns_records/") && order.get(1).endsWith("/connections"), order.toString());
    }

    @Test
    void aTunnelThatReconnectedBeforeItsDeleteIsRetriedNotGivenUp() {
        Node node = TestNodes.node("cs_test_reconnect-0", "203.0.113.21");
        tunnel.publish(node);
        cloudflare.failNext("DELETE", "/accounts/[^/]+/cfd_tunnel/[^/]+", 400,
                CloudflareDouble.envelope(false, null, CloudflareDouble.error(1022, "Cannot delete tunnel because it has active connections")),
                Map.of());
        assertThrows(ProviderUnavailable.class, () -> tunnel.unpublish(node));
        tunnel.unpublish(node);
        assertTrue(cloudflare.liveTunnels().isEmpty());
        assertTrue(cloudflare.records().isEmpty());
    }

    @Test
    void eachNodeGetsTheTokenOfItsOwnTunnelOnlyOnceItExists() {
        Node a = TestNodes.node("cs_test_tok-0", "203.0.113.14");
        Node b = TestNodes.node("cs_test_tok-1", "203.0.113.15");
        assertTrue(tunnel.tunnelToken(a).isEmpty());
        tunnel.publish(a);
        tunnel.publish(b);
        String tokenA = tunnel.tunnelToken(a).orElseThrow();
        String tokenB = tunnel.tunnelToken(b).orElseThrow();
        assertNotEquals(tokenA, tokenB);
        Map<String, String> byName = cloudflare.liveTunnels().stream().collect(Collectors.toMap(t -> t.name, CloudflareDouble.Tunnel::token));
        assertEquals(byName.get("edge-hive-cs_test_tok-0"), tokenA);
        assertEquals(byName.get("edge-hive-cs_test_tok-1"), tokenB);
    }

    @Test
    void managedListsTunnelsAndRecordsWithTheirNodesAndRemovesOrphans() {
        Node kept = TestNodes.node("cs_test_keep-0", "203.0.113.16");
        Node orphan = TestNodes.node("cs_test_orphan-0", "203.0.113.17");
        tunnel.publish(kept);
        tunnel.publish(orphan);
        cloudflare.addRecord("A", "www." + ZONE_NAME, "198.51.100.2", true, "the operator's own");
        List<AccessProvider.PublishedName> managed = tunnel.managed();
        assertEquals(Set.of("cs_test_keep-0", "cs_test_orphan-0"), managed.stream().map(AccessProvider.PublishedName::nodeId).collect(Collectors.toSet()));
        assertEquals(4, managed.size(), managed.toString());
        managed.stream().filter(m -> m.nodeId().equals("cs_test_orphan-0")).forEach(tunnel::removeOrphan);
        assertEquals(List.of("edge-hive-cs_test_keep-0"), cloudflare.liveTunnels().stream().map(t -> t.name).toList());
        assertEquals(2, cloudflare.records().size(), "the operator's record stays");
    }

    @Test
    void driftWhenTheTunnelIsGoneOrDown() {
        Node node = TestNodes.node("cs_test_drift-0", "203.0.113.18");
        tunnel.publish(node);
        assertTrue(tunnel.health(node).drift().contains("inactive"));
        cloudflare.connect("edge-hive-cs_test_drift-0", "healthy");
        assertEquals(new AccessProvider.Health("healthy", null), tunnel.health(node));
        assertEquals(new AccessProvider.Health("healthy", null), tunnel.inspect(List.of(node)).get(node.nodeId()));
        cloudflare.connect("edge-hive-cs_test_drift-0", "down");
        assertTrue(tunnel.inspect(List.of(node)).get(node.nodeId()).drift().contains("down"));
        tunnel.closeTunnel(node);
        assertEquals("gone", tunnel.health(node).status());
        assertTrue(tunnel.health(node).drift().contains("gone"));
    }

    @Test
    void dnsProviderPublishesAnARecordOrACnameForAHostname() {
        Node vm = TestNodes.node("cs_test_dns-0", "203.0.113.19");
        Node container = TestNodes.node("cs_test_dns-1", "ec2-3-4-5-6.compute-1.amazonaws.com");
        Access access = dns.publish(vm);
        dns.publish(vm);
        dns.publish(container);
        assertEquals("https://" + vm.hostLabel() + "." + ZONE_NAME, access.url());
        Map<String, Record> byName = cloudflare.records().stream().collect(Collectors.toMap(Record::name, r -> r));
        assertEquals(2, byName.size());
        Record a = byName.get(vm.hostLabel() + "." + ZONE_NAME);
        assertEquals("A", a.type());
        assertEquals("203.0.113.19", a.content());
        assertTrue(a.proxied());
        assertEquals("CNAME", byName.get(container.hostLabel() + "." + ZONE_NAME).type());
        // A new address overwrites the record instead of adding one.
        dns.publish(TestNodes.node("cs_test_dns-0", "203.0.113.99"));
        assertEquals(2, cloudflare.records().size());
        assertEquals(2, dns.managed().size());
        dns.unpublish(vm);
        dns.unpublish(vm);
        assertEquals(List.of(container.hostLabel() + "." + ZONE_NAME), cloudflare.records().stream().map(Record::name).toList());
    }

    @Test
    void aRefusalIsPermanentAndNamesCloudflaresCode() {
        Node node = TestNodes.node("cs_test_refused-0", "203.0.113.20");
        cloudflare.failNext("POST", "/zones/[^/]+/dns_records", 200,
                CloudflareDouble.envelope(false, null, CloudflareDouble.error(1004, "DNS Validation Error")), Map.of());
        ProviderRejected refused = assertThrows(ProviderRejected.class, () -> tunnel.publish(node));
        assertEquals("1004", refused.code());
        cloudflare.failNext("GET", "/accounts/[^/]+/cfd_tunnel", 429,
                CloudflareDouble.envelope(false, null, CloudflareDouble.error(971, "Please wait")), Map.of("Retry-After", "3"));
        assertEquals(Duration.ofSeconds(3), assertThrows(ProviderUnavailable.class, () -> tunnel.publish(node)).retryAfter());
        tunnel.unpublish(node);
        assertTrue(cloudflare.liveTunnels().isEmpty());
        assertTrue(cloudflare.records().isEmpty());
    }

    @Test
    void aWrongApiTokenIsRefusedForGood() {
        CloudflareApi wrong = new CloudflareApi(cloudflare.baseUrl(), "not-the-token", Duration.ofSeconds(5));
        ProviderRejected refused = assertThrows(ProviderRejected.class,
                () -> new CloudflareTunnels(wrong, CloudflareDouble.ACCOUNT).byName("x"));
        assertEquals("10000", refused.code());
        assertFalse(refused.getMessage().contains("not-the-token"));
        assertEquals(1, cloudflare.refusedAuth());
    }

    private static String tunnels0() {
        return cloudflare.liveTunnels().get(0).id;
    }

    private static long count(String regex) {
        return cloudflare.requests().stream().filter(r -> r.matches(regex)).count();
    }
}
