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

    /** What of a node's shape this plan does not offer, one sentence each; empty when all of it is offered. */
    public List<String> unoffered(String region, String instanceType, int storageGb) {
        List<String> problems = new java.util.ArrayList<>();
        if (!regions.contains(region)) {
            problems.add("region " + region + " is not offered on the " + name + " plan (one of " + regions + ")");
        }
        if (!instanceTypes.contains(instanceType)) {
            problems.add("instanceType " + instanceType + " is not offered on the " + name + " plan (one of " + instanceTypes + ")");
        }
        if (!this.storageGb.contains(storageGb)) {
            problems.add("storageGb " + storageGb + " is not offered on the " + name + " plan (one of " + this.storageGb + ")");
        }
        return problems;
    }
}
