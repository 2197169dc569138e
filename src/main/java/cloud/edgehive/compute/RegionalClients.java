package cloud.edgehive.compute;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;

/**
 * One AWS client per region, made the first time a node in that region needs it: a node bought for
 * eu-west-1 is launched, looked up, restarted and terminated by an eu-west-1 client. A node recorded
 * without a region (bought before regions were recorded) uses the default region.
 */
public final class RegionalClients<C> {

    private final Function<String, C> factory;
    private final String defaultRegion;
    private final Set<String> configured;
    private final ConcurrentMap<String, C> clients = new ConcurrentHashMap<>();

    /**
     * @param configured the regions the plans offer: the reconciler audits these even before this
     *                   process has made a client for them (a node may have been launched by another replica)
     */
    public RegionalClients(Function<String, C> factory, String defaultRegion, Set<String> configured) {
        this.factory = factory;
        this.defaultRegion = defaultRegion;
        this.configured = Set.copyOf(configured);
    }

    public C in(String region) {
        return clients.computeIfAbsent(regionOf(region), factory);
    }

    public String regionOf(String region) {
        return region == null || region.isBlank() ? defaultRegion : region;
    }

    /** The configured regions, the default one, and any other a node was found in: what the audit covers. */
    public Set<String> inUse() {
        Set<String> regions = new LinkedHashSet<>();
        regions.add(defaultRegion);
        regions.addAll(configured);
        regions.addAll(clients.keySet());
        return regions;
    }
}
