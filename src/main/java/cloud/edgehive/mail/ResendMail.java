package cloud.edgehive.mail;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import cloud.edgehive.pipeline.ProviderRejected;
import cloud.edgehive.pipeline.ProviderUnavailable;

/**
 * Email through Resend's HTTP API ({@code POST {base}/emails}), a small client over java.net.http:
 * the official Java SDK hard-codes its base URL, which tests and regional endpoints need to change.
 * <p>
 * Every send carries an {@code Idempotency-Key} (the caller's node id + email kind): Resend answers a
 * repeat of the same key and body with the first answer and sends nothing, so a retried step never
 * mails twice. How each answer is taken, from Resend's documentation:
 * <ul>
 * <li>2xx: sent.</li>
 * <li>409 {@code invalid_idempotent_request}: the key was already used, with another body (the email
 * was rendered again, e.g. after a template edit): that email went out, so this one is done (WARN).</li>
 * <li>409 {@code concurrent_idempotent_requests}: the same send is still in flight: retry later.</li>
 * <li>429: throttled; {@code retry-after} (seconds or an HTTP date) becomes the next redelivery's delay.</li>
 * <li>5xx, timeout, network: transient ({@link ProviderUnavailable}).</li>
 * <li>any other 4xx (422 invalid address, 401/403 bad key…): permanent ({@link ProviderRejected}),
 * Resend's error body goes to the dead letter.</li>
 * </ul>
 * The API key is a secret: it is only ever put in the Authorization header, never in a message or log.
 */
public class ResendMail implements MailSender {

    private static final Logger LOG = LoggerFactory.getLogger(ResendMail.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_KEY = 256;
    private static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);

    /** Where the API is (no trailing /emails), the bearer key, and how long one call may take. */
    public record Config(URI baseUrl, String apiKey, Duration timeout) {
        public Config {
            if (apiKey == null || apiKey.isBlank()) {
                throw new IllegalStateException("mail.provider=resend needs mail.resend.api-key (environment variable MAIL_RESEND_API_KEY)");
            }
        }

        @Override
        public String toString() {
            return "Config[baseUrl=" + baseUrl + ", timeout=" + timeout + "]";
        }
    }

    private final Config config;
    private final HttpClient http;
    private final Clock clock;

    public ResendMail(Config config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(config.timeout()).build();
    }

    @Override
    public String name() {
        return "resend";
    }

    @Override
    public void send(MailMessage message, String idempotencyKey) {
        String key = boundedKey(idempotencyKey);
        HttpRequest request = HttpRequest.newBuilder(emails())
                .timeout(config.timeout())
                .header("Authorization", "Bearer " + config.apiKey())
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString(body(message), StandardCharsets.UTF_8))
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ProviderUnavailable(name(), "no answer from " + emails() + ": " + e.getClass().getSimpleName(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderUnavailable(name(), "interrupted while sending", null);
        }
        int status = response.statusCode();
        String error = errorName(response.body());
        if (status >= 200 && status < 300) {
            LOG.info("Email {} sent by Resend as {}", key, field(response.body(), "id"));
        } else if (status == 409 && "invalid_idempotent_request".equals(error)) {
            LOG.warn("Email {} was already sent by Resend with another body; not sending it again", key);
        } else if (status == 409) {
            throw new ProviderUnavailable(name(), "409 " + error + " for email " + key, null);
        } else if (status == 429) {
            throw new ProviderUnavailable(name(), "429 " + error + " (rate limited)", retryAfter(response));
        } else if (status >= 500) {
            throw new ProviderUnavailable(name(), status + " " + truncated(response.body()), retryAfter(response));
        } else {
            throw new ProviderRejected(name(), status + (error == null ? "" : " " + error), truncated(response.body()));
        }
    }

    private URI emails() {
        String base = config.baseUrl().toString();
        return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/emails");
    }

    private static String body(MailMessage message) {
        try {
            return JSON.writeValueAsString(Map.of(
                    "from", message.from(),
                    "to", List.of(message.to()),
                    "subject", message.subject(),
                    "html", message.html(),
                    "text", message.text()));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Cannot write email " + message.messageId(), e);
        }
    }

    /** Resend takes 1-256 characters; a longer key (a long node id) becomes its SHA-256, still stable. */
    static String boundedKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("An email needs an idempotency key");
        }
        if (key.length() <= MAX_KEY) {
            return key;
        }
        try {
            return "sha256/" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code retry-after} as seconds or an HTTP date; null when absent or unreadable; at most an hour. */
    private Duration retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("retry-after").map(String::trim).map(value -> {
            Duration wait;
            try {
                wait = Duration.ofMillis(Math.round(Double.parseDouble(value) * 1000));
            } catch (NumberFormatException notSeconds) {
                try {
                    wait = Duration.between(clock.instant(), ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                } catch (DateTimeParseException unreadable) {
                    return null;
                }
            }
            if (wait.isNegative()) {
                return Duration.ZERO;
            }
            return wait.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : wait;
        }).orElse(null);
    }

    private static String errorName(String body) {
        return field(body, "name");
    }

    private static String field(String body, String name) {
        try {
            JsonNode node = JSON.readTree(body == null ? "" : body);
            return node != null && node.hasNonNull(name) ? node.get(name).asText() : null;
        } catch (IOException notJson) {
            return null;
        }
    }

    private static String truncated(String body) {
        String text = body == null ? "" : body.replaceAll("\\s+", " ").trim();
        return text.length() > 1000 ? text.substring(0, 1000) : text;
    }
}
