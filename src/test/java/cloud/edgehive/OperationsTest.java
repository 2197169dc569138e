package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import cloud.edgehive.harness.Emulators;
import cloud.edgehive.harness.RunningService;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeState;

/**
 * Health, metrics and logs of a running service (local mode, so no emulator is needed): readiness
 * with the DynamoDB and configuration checks, liveness, per-step Prometheus series with failures,
 * dead letters and reconciler findings, and the node id on every log line of a node's work.
 */
class OperationsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path data;

    private final List<LogEvent> events = Collections.synchronizedList(new ArrayList<>());
    private AbstractAppender capture;

    @BeforeEach
    void captureLogs() {
        capture = new AbstractAppender("capture", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                events.add(event.toImmutable());
            }
        };
        capture.start();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getRootLogger().addAppender(capture, null, null);
        context.updateLoggers();
    }

    @AfterEach
    void stopCapture() throws Exception {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getRootLogger().removeAppender("capture");
        context.updateLoggers();
        LocalModeTest.killRecordedNodes(data.resolve("nodes"));
    }

    @Test
    void healthMetricsAndLogsAroundAFailedNode() throws Exception {
        Map<String, String> overrides = new LinkedHashMap<>();
        overrides.put("local.data-dir", data.toString());
        overrides.put("slots.base", String.valueOf(Emulators.freePortRange(32)));
        overrides.put("reconciler.initial-delay-ms", "500");
        overrides.put("reconciler.interval-ms", "500");
        // The node's process exits at once: the launch step fails, is compensated and dead-lettered.
        overrides.put("local.node-command", "false");
        // Health answers are UP/DOWN only unless an operator asks for the checks' details.
        overrides.put("camel.health.exposureLevel", "full");
        try (RunningService service = RunningService.start("local", overrides)) {
            JsonNode ready = health(service, "/observe/health/ready");
            assertEquals("UP", ready.path("status").asText(), ready.toString());
            assertTrue(ready.toString().contains("dynamodb") && ready.toString().contains("configuration"), ready.toString());
            assertEquals("UP", health(service, "/observe/health/live").path("status").asText());

            String nodeId = LocalModeTest.buy(service, "ops@example.com");
            Node failed = service.awaitNode(nodeId, Duration.ofSeconds(60), n -> n.state().isFinal() || n.state() == NodeState.READY);
            assertEquals(NodeState.FAILED, failed.state(), failed::lastError);

            String[] metrics = new String[1];
            RunningService.await(Duration.ofSeconds(30), () -> {
                metrics[0] = get(service.managementUrl("/observe/metrics")).body();
                return metrics[0].contains("edgehive_dead_letters_total") && metrics[0].contains("edgehive_reconciler_findings_total");
            }, () -> "metrics lack edgehive series:\n" + metrics[0]);
            String m = metrics[0];
            for (String step : List.of("allocate-slot", "launch-node", "await-running", "fail-node")) {
                assertTrue(m.contains("routeId=\"" + step + "\""), "series for step " + step + ":\n" + m);
            }
            assertTrue(m.matches("(?s).*camel_exchanges_total\\{[^}]*routeId=\"allocate-slot\"[^}]*} [1-9].*"), "allocate-slot count\n" + m);
            assertTrue(m.matches("(?s).*camel_route_policy_seconds_(count|sum)\\{[^}]*routeId=\"launch-node\".*"), "launch-node duration\n" + m);
            // A step's failures are handled (compensation), so they count as failures_handled, not failed;
            // the saga (provision-node) holds the error handling of all its steps.
            assertTrue(m.matches("(?s).*camel_exchanges_failures_handled_total\\{[^}]*routeId=\"provision-node\"[^}]*} [1-9].*"), "saga failures\n" + m);
            assertTrue(m.matches("(?s).*edgehive_dead_letters_total\\{[^}]*kind=\"node\"[^}]*} 1\\.0.*"), "one node dead letter\n" + m);
            assertTrue(m.contains("edgehive_reconciler_findings_total{"), m);

            List<LogEvent> nodeWork = events.stream().filter(e -> e.getMessage().getFormattedMessage().contains(nodeId)
                    && e.getLoggerName().startsWith("cloud.edgehive")).toList();
            assertTrue(nodeWork.size() >= 2, "log lines about " + nodeId + ": " + nodeWork.size());
            for (LogEvent e : nodeWork) {
                assertEquals(nodeId, e.getContextData().getValue("nodeId"), () -> "no nodeId on: " + e.getMessage().getFormattedMessage());
            }
            assertTrue(events.stream().anyMatch(e -> e.getContextData().getValue("eventId") != null), "eventId on the event's lines");
        }
    }

    private static JsonNode health(RunningService service, String path) throws Exception {
        HttpResponse<String> response = get(service.managementUrl(path));
        return JSON.readTree(response.body());
    }

    private static HttpResponse<String> get(String url) {
        return RunningService.send(HttpRequest.newBuilder(URI.create(url)).GET().build());
    }
}
