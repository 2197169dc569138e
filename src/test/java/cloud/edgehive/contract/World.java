package cloud.edgehive.contract;

import java.util.List;
import java.util.Map;

/**
 * One shipped combination of providers (compute + access + mail) with the emulated world it runs
 * against: how to configure the service for it, and how to look, from outside the service, at what
 * exists for a node (live compute resources, published names, emails received).
 */
interface World extends AutoCloseable {

    /** e.g. {@code ec2+route53+smtp}. */
    String name();

    /** The profile overlay the service starts with (null: application.properties alone). */
    String profile();

    /** The service's settings in this world. */
    Map<String, String> config();

    /** Live compute resources (instances, tasks, processes) tagged with the node's id. */
    int liveResources(String nodeId);

    /** Names published for the node (DNS records, tunnels); 0 for providers that publish none. */
    int publishedNames(String nodeId);

    /** The bodies (text) of the emails received by {@code to}. */
    List<String> mailsTo(String to);

    @Override
    void close();
}
