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

    public void respond(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        int status;
        String title;
        String detail;
        if (cause instanceof ProblemException problem) {
            status = problem.getStatus();
            title = problem.getTitle();
            detail = problem.getDetail();
        } else {
            status = 500;
            title = "Internal error";
            detail = "The request could not be completed; it was logged with id " + exchange.getExchangeId();
            LOG.error("Request {} failed", exchange.getExchangeId(), cause);
        }
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/problem+json");
        exchange.getMessage().setBody(json(status, title, detail));
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
