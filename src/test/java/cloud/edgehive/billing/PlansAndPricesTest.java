package cloud.edgehive.billing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import cloud.edgehive.Settings;
import cloud.edgehive.problem.ProblemException;

/** Plans as configured, what a plan does not offer, and the price table (decimals, rounded to the cent). */
class PlansAndPricesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Plans plans(Map<String, String> config) {
        DefaultCamelContext context = new DefaultCamelContext();
        Properties properties = new Properties();
        properties.putAll(config);
        context.getPropertiesComponent().setInitialProperties(properties);
        return Plans.from(new Settings(context));
    }

    @Test
    void plansAreReadFromConfigurationInOrder() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("plans.names", "pro, team, enterprise");
        config.put("plans.pro.price-id", "price_pro");
        config.put("plans.pro.regions", "us-east-1, eu-west-1");
        config.put("plans.pro.instance-types", "t4g.small");
        config.put("plans.pro.storage-gb", "10, 20");
        config.put("plans.pro.monthly-price", "25");
        config.put("plans.team.price-id", "price_team");
        config.put("plans.team.node-limit", "5");
        config.put("plans.enterprise.self-serve", "false");
        Plans plans = plans(config);
        assertEquals(List.of("pro", "team", "enterprise"), plans.names());
        Plan pro = plans.find("pro").orElseThrow();
        assertEquals("price_pro", pro.priceId());
        assertEquals(1, pro.nodeLimit(), "one node unless configured");
        assertEquals(List.of("us-east-1", "eu-west-1"), pro.regions());
        assertEquals(List.of(10, 20), pro.storageGb());
        assertEquals(new BigDecimal("25.00"), pro.monthlyPrice());
        assertTrue(pro.selfServe());
        assertEquals(false, plans.find("enterprise").orElseThrow().selfServe());
        assertEquals(null, plans.find("enterprise").orElseThrow().priceId());
        assertEquals(null, plans.find("team").orElseThrow().monthlyPrice());
        assertEquals(5, plans.nodeLimit("team"));
        assertEquals(1, plans.nodeLimit("renamed-since"), "an unknown plan allows what it was sold with");
        assertEquals(Optional.empty(), plans.find(null));
        assertEquals(Optional.empty(), plans.find("gold"));
        assertEquals("team", plans.byPriceId("price_team").orElseThrow().name());
        assertEquals(Optional.empty(), plans.byPriceId("price_gold"));
        assertEquals(Optional.empty(), plans.byPriceId(null), "enterprise has no price id and matches nothing");
    }

    @Test
    void badPlanConfigurationStopsStartUp() {
        assertThrows(IllegalStateException.class, () -> plans(Map.of("plans.names", " ")));
        assertTrue(assertThrows(IllegalStateException.class, () -> plans(Map.of("plans.names", "pro", "plans.pro.monthly-price", "25.001")))
                .getMessage().contains("plans.pro.monthly-price"));
        assertThrows(IllegalStateException.class, () -> plans(Map.of("plans.names", "pro", "plans.pro.monthly-price", "cheap")));
        assertTrue(assertThrows(IllegalStateException.class, () -> plans(Map.of("plans.names", "pro", "plans.pro.storage-gb", "10, big")))
                .getMessage().contains("plans.pro.storage-gb"));
    }

    @Test
    void unofferedNamesEachPartOfTheShapeThePlanDoesNotSell() {
        Plan pro = new Plan("pro", "price_pro", 1, List.of("us-east-1"), List.of("t4g.small"), List.of(10), true, null);
        assertEquals(List.of(), pro.unoffered("us-east-1", "t4g.small", 10));
        List<String> all = pro.unoffered("eu-west-1", "m5.large", 20);
        assertEquals(3, all.size(), all.toString());
        assertEquals("region eu-west-1 is not offered on the pro plan (one of [us-east-1])", all.get(0));
        assertEquals("instanceType m5.large is not offered on the pro plan (one of [t4g.small])", all.get(1));
        assertEquals("storageGb 20 is not offered on the pro plan (one of [10])", all.get(2));
        assertEquals(1, pro.unoffered("us-east-1", "t4g.small", 11).size());
        assertEquals(1, pro.unoffered("us-east-1", "t4g.nano", 10).size());
    }

    @Test
    void pricesAreDecimalsAndTheMonthIsRoundedToTheCent() throws Exception {
        Map<String, List<String>> hourly = new LinkedHashMap<>();
        hourly.put("pro", List.of("us-east-1:0.0168", " eu-west-1 : 0.0185 "));
        hourly.put("team", List.of("us-east-1:0.05"));
        PriceTable table = new PriceTable("USD", 730, hourly);
        assertEquals("USD", table.currency());
        assertEquals(3, table.prices().size());
        PriceTable.Price eu = table.prices().get(1);
        assertEquals("pro", eu.plan());
        assertEquals("eu-west-1", eu.region());
        assertEquals(new BigDecimal("0.0185"), eu.hourly());
        assertEquals(new BigDecimal("13.51"), eu.monthly(), "13.505 rounds half up");
        assertEquals(new BigDecimal("12.26"), table.prices().get(0).monthly());
        assertEquals(new BigDecimal("36.50"), table.prices().get(2).monthly());

        JsonNode all = JSON.readTree(table.table(null, " "));
        assertEquals("USD", all.get("currency").asText());
        assertEquals(730, all.get("hoursPerMonth").asInt());
        assertEquals(3, all.get("prices").size());
        assertEquals(2, JSON.readTree(table.table("us-east-1", null)).get("prices").size());
        assertEquals(2, JSON.readTree(table.table("", "pro")).get("prices").size());
        JsonNode one = JSON.readTree(table.table("us-east-1", "team")).get("prices");
        assertEquals(1, one.size());
        assertEquals("team", one.get(0).get("plan").asText());
        assertEquals(404, assertThrows(ProblemException.class, () -> table.table("ap-south-1", null)).getStatus());
        assertEquals(404, assertThrows(ProblemException.class, () -> table.table(null, "gold")).getStatus());
    }

    @Test
    void badPricesStopStartUp() {
        assertTrue(assertThrows(IllegalStateException.class, () -> new PriceTable("USD", 730, Map.of("pro", List.of())))
                .getMessage().contains("pricing.pro"));
        assertTrue(assertThrows(IllegalStateException.class, () -> new PriceTable("USD", 730, Map.of("pro", List.of("us-east-1:cheap"))))
                .getMessage().contains("us-east-1:cheap"));
    }
}
