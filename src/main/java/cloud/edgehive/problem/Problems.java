package cloud.edgehive.problem;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Turns a failed API exchange into an RFC 9457 problem response; internals never reach the client. */
public class Problems {

    private static final Logger LOG = LoggerFactory.getLogger(Problems.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What the client is told about the exchange's failure: a refusal's own words, or for anything
     * unexpected a 500 that only names the id it was logged with (the cause is logged, never sent).
     * The API answers it as JSON, the dashboard as a page.
     */
    public static ProblemException of(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (cause instanceof ProblemException problem) {
            return problem;
        }
        LOG.error("Request {} failed", exchange.getExchangeId(), cause);
        return new ProblemException(500, "Internal error",
                "The request could not be completed; it was logged with id " + exchange.getExchangeId());
    }

    public void respond(Exchange exchange) {
        ProblemException problem = of(exchange);
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, problem.getStatus());
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/problem+json");
        if (problem.getRetryAfter() != null) {
            exchange.getMessage().setHeader("Retry-After", String.valueOf(Math.max(1, problem.getRetryAfter().toSeconds())));
        }
        exchange.getMessage().setBody(json(problem.getStatus(), problem.getTitle(), problem.getDetail()));
    }

    /** The problem document itself, for answers written outside a route (the HTTP guard). */
    public static String json(int status, String title, String detail) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "about:blank");
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
