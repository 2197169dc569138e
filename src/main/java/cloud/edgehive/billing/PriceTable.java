package cloud.edgehive.billing;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.Header;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import cloud.edgehive.problem.ProblemException;

/**
 * What a node costs, per plan and region, from configuration ({@code pricing.<plan> =
 * region:hourly, ...}): the API's cost table. Prices are decimals, never floating point; the
 * monthly figure is the hourly price times {@code pricing.hours-per-month}, rounded to the cent.
 */
public class PriceTable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One plan in one region. */
    public record Price(String plan, String region, BigDecimal hourly, BigDecimal monthly) {
    }

    private final String currency;
    private final int hoursPerMonth;
    private final List<Price> prices;

    /**
     * @param hourlyByPlan each plan's {@code region:price} list as configured, in plan order
     * @throws IllegalStateException when a plan has no price or a price does not parse (start-up fails)
     */
    public PriceTable(String currency, int hoursPerMonth, Map<String, List<String>> hourlyByPlan) {
        this.currency = currency;
        this.hoursPerMonth = hoursPerMonth;
        List<Price> all = new ArrayList<>();
        hourlyByPlan.forEach((plan, entries) -> {
            if (entries.isEmpty()) {
                throw new IllegalStateException("Plan " + plan + " has no prices: set pricing." + plan + " = region:hourly, ...");
            }
            for (String entry : entries) {
                int colon = entry.lastIndexOf(':');
                try {
                    BigDecimal hourly = new BigDecimal(entry.substring(colon + 1).trim());
                    all.add(new Price(plan, entry.substring(0, colon).trim(), hourly,
                            hourly.multiply(BigDecimal.valueOf(hoursPerMonth)).setScale(2, RoundingMode.HALF_UP)));
                } catch (RuntimeException e) {
                    throw new IllegalStateException("pricing." + plan + ": '" + entry + "' is not region:hourly-price");
                }
            }
        });
        this.prices = List.copyOf(all);
    }

    public List<Price> prices() {
        return prices;
    }

    public String currency() {
        return currency;
    }

    /** The table as JSON, optionally only one region's or one plan's rows (a 404 when nothing matches). */
    public String table(@Header("region") String region, @Header("plan") String plan) {
        List<Price> rows = prices.stream()
                .filter(p -> region == null || region.isBlank() || p.region().equals(region))
                .filter(p -> plan == null || plan.isBlank() || p.plan().equals(plan))
                .toList();
        if (rows.isEmpty()) {
            throw new ProblemException(404, "Not found", "No price for that plan and region");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("currency", currency);
        body.put("hoursPerMonth", hoursPerMonth);
        body.put("prices", rows);
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
