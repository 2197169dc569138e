package cloud.edgehive.problem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A failed request's answer: a refusal in its own words, anything else a 500 that names only the log id. */
class ProblemsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final CamelContext context = new DefaultCamelContext();

    @AfterEach
    void close() throws Exception {
        context.close();
    }

    @Test
    void aRefusalIsAnsweredInItsOwnWords() throws Exception {
        ProblemException refusal = new ProblemException(409, "Conflict", "Node n-1 is TERMINATING");
        Exchange exchange = failed(refusal);
        assertSame(refusal, Problems.of(exchange));
        exchange.getMessage().setHeader("Authorization", "Bearer secret");
        exchange.getMessage().setHeader("X-Internal", "x");
        new Problems().respond(exchange);
        assertEquals(409, exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE));
        assertEquals("application/problem+json", exchange.getMessage().getHeader(Exchange.CONTENT_TYPE));
        assertNull(exchange.getMessage().getHeader("Authorization"), "request headers are not echoed");
        assertNull(exchange.getMessage().getHeader("X-Internal"));
        JsonNode body = JSON.readTree(exchange.getMessage().getBody(String.class));
        assertEquals("about:blank", body.get("type").asText());
        assertEquals("Conflict", body.get("title").asText());
        assertEquals(409, body.get("status").asInt());
        assertEquals("Node n-1 is TERMINATING", body.get("detail").asText());
        assertEquals(4, body.size());
    }

    @Test
    void anythingElseIsA500ThatOnlyNamesTheLogId() throws Exception {
        Exchange exchange = failed(new IllegalStateException("table edgehive-nodes: AccessDenied for arn:aws:iam::123:role/x"));
        ProblemException problem = Problems.of(exchange);
        assertEquals(500, problem.getStatus());
        assertEquals("Internal error", problem.getTitle());
        assertTrue(problem.getDetail().endsWith(exchange.getExchangeId()), problem.getDetail());
        assertFalse(problem.getDetail().contains("AccessDenied"));
        new Problems().respond(exchange);
        assertEquals(500, exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE));
        assertFalse(exchange.getMessage().getBody(String.class).contains("arn:aws"));
        assertEquals(500, Problems.of(new DefaultExchange(context)).getStatus(), "no recorded cause is still a 500");
    }

    @Test
    void theDocumentWrittenOutsideARoute() throws Exception {
        JsonNode body = JSON.readTree(Problems.json(429, "Too many requests", "Slow down"));
        assertEquals(429, body.get("status").asInt());
        assertEquals("Too many requests", body.get("title").asText());
        assertEquals("Slow down", body.get("detail").asText());
        ProblemException e = new ProblemException(422, "Invalid", "bad");
        assertEquals("bad", e.getMessage());
        assertNull(e.getCause());
        assertEquals(0, e.getStackTrace().length, "refusals carry no stack");
    }

    private Exchange failed(Throwable cause) {
        Exchange exchange = new DefaultExchange(context);
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, cause);
        return exchange;
    }
}
