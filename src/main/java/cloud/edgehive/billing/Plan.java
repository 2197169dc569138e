package cloud.edgehive.billing;

import java.util.List;

/**
 * One plan as configured under {@code plans.<name>.*}: its Stripe price, how many nodes it allows
 * and the node shapes a buyer may pick. A plan that is not self-serve (Enterprise) is sold by an
 * admin, who sets its node count per contract. {@code monthlyPrice} is what the buyer is shown
 * (Stripe charges the price id's amount; keep the two equal); null when not configured.
 */
public record Plan(String name, String priceId, int nodeLimit, List<String> regions, List<String> instanceTypes,
                   List<Integer> storageGb, boolean selfServe, java.math.BigDecimal monthlyPrice) {

    public Plan {
        regions = List.copyOf(regions);
        instanceTypes = List.copyOf(instanceTypes);
        storageGb = List.copyOf(storageGb);
    }
}
