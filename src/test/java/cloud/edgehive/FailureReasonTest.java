package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.fasterxml.jackson.databind.JsonNode;

import cloud.edgehive.harness.Api;
import cloud.edgehive.harness.RunningService;
import cloud.edgehive.harness.ServiceTest;
import cloud.edgehive.harness.StripeSigner;
import cloud.edgehive.harness.TestCloud;
import cloud.edgehive.harness.Tokens;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeState;

/**
 * A failed node's owner reads a plain reason; the provider's own message (AWS errors name zones,
 * accounts, ARNs) stays in the record and the admin-only dead letter, and admins read it. The fault
 * is moto's own answer: the service is pointed at a hosted zone that does not exist.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FailureReasonTest extends ServiceTest {

    private TestCloud cloud;

    @BeforeAll
    void world() {
        cloud = TestCloud.fresh("failure-reason");
    }

    @Override
    protected Map<String, String> settings() {
        return RunningService.defaults(cloud.smtp().getSmtp().getPort(), "ZNOSUCHZONE4REASON");
    }

    @AfterAll
    void stop() {
        cloud.close();
    }

    @Test
    void theOwnerSeesAPlainReasonAndTheAdminTheCause() {
        NotifyBuilder worked = workDone("cs_test_reason-0", 1);
        assertEquals(200, service.postSignedWebhook(StripeSigner.checkoutCompleted("evt_reason", "cs_test_reason", "user-reason",
                "reason@example.com", StripeSigner.PRO_PLAN)).statusCode());
        await(worked, Duration.ofSeconds(90));
        Node failed = service.nodes().get("cs_test_reason-0");
        assertEquals(NodeState.FAILED, failed.state());
        assertTrue(failed.lastError().contains("NoSuchHostedZone"), "the record keeps the cause: " + failed.lastError());

        JsonNode owner = Api.json(new Api(service).get("/api/v1/nodes/" + failed.nodeId(), Tokens.user("user-reason")));
        String plain = owner.path("lastError").asText();
        assertEquals("The node's address could not be published. Nothing was left running or billed. Support reference: "
                + failed.deadLetterId() + ".", plain);
        assertFalse(owner.toString().contains("NoSuchHostedZone") || owner.toString().contains("ZNOSUCHZONE4REASON"), owner.toString());

        JsonNode admin = Api.json(new Api(service).get("/api/v1/nodes/" + failed.nodeId(), Tokens.admin("ops")));
        assertEquals(failed.lastError(), admin.path("lastError").asText());
    }
}
