package cloud.edgehive.contract;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;

import cloud.edgehive.harness.Emulators;

/**
 * A proxy to moto (WireMock) that passes every call through, except that it can let one node's call
 * of one action reach moto and then hold the answer: the caller, SIGKILLed meanwhile, never learns
 * that the instance or task exists. moto ignores the ClientToken AWS honours, so a launch repeated
 * after such a crash would make a second one unless the service finds the first by its tag.
 */
final class AwsAnswerHold implements AutoCloseable {

    /** Longer than any test waits; the kill comes first. (The AWS SDK gives up reading after 30 s.) */
    private static final int HOLD_MS = 10 * 60 * 1000;

    private final WireMockServer proxy = new WireMockServer(options().dynamicPort());

    AwsAnswerHold() {
        proxy.start();
        proxy.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().proxiedFrom(Emulators.moto().url())));
    }

    /** The endpoint to give the service (e.g. {@code aws.ec2.endpoint}). */
    String url() {
        return proxy.baseUrl();
    }

    /**
     * Calls of {@code action} naming the node (EC2's query protocol: {@code Action=RunInstances} with the
     * node id in a tag; JSON protocols: {@code X-Amz-Target: ….RunTask} with the node id as startedBy)
     * reach moto; their answer comes after {@link #HOLD_MS}.
     */
    void hold(String action, String nodeId) {
        proxy.stubFor(any(anyUrl()).atPriority(1).withRequestBody(containing("Action=" + action + "&"))
                .withRequestBody(containing(nodeId))
                .willReturn(aResponse().proxiedFrom(Emulators.moto().url()).withFixedDelay(HOLD_MS)));
        proxy.stubFor(any(anyUrl()).atPriority(1).withHeader("X-Amz-Target", containing("." + action))
                .withRequestBody(containing(nodeId))
                .willReturn(aResponse().proxiedFrom(Emulators.moto().url()).withFixedDelay(HOLD_MS)));
    }

    /** Route 53 record changes (REST: {@code POST …/hostedzone/<id>/rrset/}) naming {@code recordName} reach moto; their answer is held. */
    void holdRecordChange(String recordName) {
        proxy.stubFor(post(urlPathMatching(".*/hostedzone/[^/]+/rrset/?")).atPriority(1).withRequestBody(containing(recordName))
                .willReturn(aResponse().proxiedFrom(Emulators.moto().url()).withFixedDelay(HOLD_MS)));
    }

    @Override
    public void close() {
        proxy.stop();
    }
}
