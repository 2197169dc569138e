package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import cloud.edgehive.billing.PriceTable;
import cloud.edgehive.harness.RunningService;

/** GET /api/v1/pricing: the configured prices per plan and region, with monthly estimates. */
class PricingTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path data;

    @Test
    void costTablePerPlanAndRegionFromConfiguration() throws Exception {
        try (RunningService service = RunningService.start("local", Map.of("local.data-dir", data.toString(),
                "pricing.pro", "us-east-1:0.0168, eu-west-1:0.0184, ap-southeast-2:0.0212"))) {
            HttpResponse<String> all = get(service, "/api/v1/pricing");
            assertEquals(200, all.statusCode(), all.body());
            assertTrue(all.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
            JsonNode table = JSON.readTree(all.body());
            assertEquals("USD", table.get("currency").asText());
            assertEquals(7, table.get("prices").size(), all.body());
            JsonNode pro = row(table, "pro", "us-east-1");
            assertEquals("0.0168", pro.get("hourly").asText());
            assertEquals("12.26", pro.get("monthly").asText(), "0.0168 x 730 h");
            assertEquals("15.48", row(table, "pro", "ap-southeast-2").get("monthly").asText(), "an environment override adds a region");

            JsonNode europe = JSON.readTree(get(service, "/api/v1/pricing?region=eu-west-1").body());
            assertEquals(3, europe.get("prices").size());
            HttpResponse<String> none = get(service, "/api/v1/pricing?plan=platinum");
            assertEquals(404, none.statusCode());
            assertEquals("application/problem+json", none.headers().firstValue("Content-Type").orElse(""));
        }
    }

    @Test
    void aPlanWithoutPricesOrABadPriceStopsStartUp() {
        assertThrows(IllegalStateException.class, () -> new PriceTable("USD", 730, Map.of("pro", List.of())));
        assertThrows(IllegalStateException.class, () -> new PriceTable("USD", 730, Map.of("pro", List.of("us-east-1:cheap"))));
    }

    private static JsonNode row(JsonNode table, String plan, String region) {
        for (JsonNode row : table.get("prices")) {
            if (row.get("plan").asText().equals(plan) && row.get("region").asText().equals(region)) {
                return row;
            }
        }
        throw new AssertionError("no " + plan + " row for " + region + " in " + table);
    }

    private static HttpResponse<String> get(RunningService service, String path) {
        return RunningService.send(HttpRequest.newBuilder(URI.create(service.url(path))).GET().build());
    }
}
