package cloud.edgehive.contract;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

/**
 * Resend's HTTP API played by WireMock. Resend sends one email per idempotency key (a repeat with the
 * same key and body only gets the first answer), so the emails a recipient got are the distinct keys
 * of the sends to them.
 */
final class ResendInbox implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final WireMockServer resend = new WireMockServer(options().dynamicPort());

    ResendInbox() {
        resend.start();
        resend.stubFor(post("/emails").willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody("{\"id\":\"4ef9a417-02e9-4d39-ad75-9611e0fcc33c\"}")));
    }

    /** The service's settings for mail through this Resend. */
    void configure(Map<String, String> config) {
        config.put("mail.provider", "resend");
        config.put("mail.resend.base-url", resend.baseUrl());
        config.put("mail.resend.api-key", "re_test_contract");
    }

    List<String> mailsTo(String to) {
        Set<String> keys = new LinkedHashSet<>();
        List<String> bodies = new ArrayList<>();
        for (LoggedRequest call : resend.findAll(postRequestedFor(urlPathEqualTo("/emails")))) {
            try {
                JsonNode mail = JSON.readTree(call.getBodyAsString());
                if (mail.path("to").toString().contains("\"" + to + "\"") && keys.add(call.getHeader("Idempotency-Key"))) {
                    bodies.add(mail.path("text").asText());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return bodies;
    }

    /** The Idempotency-Key of every send to {@code to}, in order: a resend repeats its key. */
    List<String> idempotencyKeysTo(String to) {
        List<String> keys = new ArrayList<>();
        for (LoggedRequest call : resend.findAll(postRequestedFor(urlPathEqualTo("/emails")))) {
            try {
                if (JSON.readTree(call.getBodyAsString()).path("to").toString().contains("\"" + to + "\"")) {
                    keys.add(call.getHeader("Idempotency-Key"));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return keys;
    }

    @Override
    public void close() {
        resend.stop();
    }
}
