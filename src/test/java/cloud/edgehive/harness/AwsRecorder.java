package cloud.edgehive.harness;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;

/**
 * A pass-through proxy to moto that remembers the calls made through it, so a test can tell that the
 * service really called the provider (a reboot leaves no trace in moto's state) or did not call it
 * again (an UPSERT of the same record leaves one record). Point one service endpoint at {@link #url()}
 * ({@code aws.ec2.endpoint}, {@code aws.route53.endpoint}).
 */
public final class AwsRecorder implements AutoCloseable {

    private final WireMockServer proxy = new WireMockServer(options().dynamicPort());

    public AwsRecorder() {
        proxy.start();
        proxy.stubFor(any(anyUrl()).willReturn(aResponse().proxiedFrom(Emulators.moto().url())));
    }

    public String url() {
        return proxy.baseUrl();
    }

    /** EC2 Query API calls of {@code action} whose parameters contain {@code containing} (e.g. an instance id). */
    public long ec2Calls(String action, String containing) {
        return proxy.getAllServeEvents().stream().map(e -> e.getRequest().getBodyAsString())
                .filter(body -> body.contains("Action=" + action + "&") || body.endsWith("Action=" + action))
                .filter(body -> body.contains(containing)).count();
    }

    /** Route 53 record changes (ChangeResourceRecordSets) whose body names {@code containing}. */
    public long route53Changes(String containing) {
        return proxy.getAllServeEvents().stream()
                .filter(e -> e.getRequest().getMethod().getName().equals("POST") && e.getRequest().getUrl().contains("/rrset"))
                .filter(e -> e.getRequest().getBodyAsString().contains(containing)).count();
    }

    public void forget() {
        proxy.resetRequests();
    }

    @Override
    public void close() {
        proxy.stop();
    }
}
