package cloud.edgehive.local;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The node local mode starts when {@code local.node-command} is empty: a tiny HTTP server that
 * serves its own status page on the node's port, using nothing but the JDK. Usage:
 * {@code java -cp edge-hive-cloud.jar cloud.edgehive.local.DemoNode <port> <nodeId>}.
 */
public final class DemoNode {

    private DemoNode() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: DemoNode <port> <nodeId>");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        String nodeId = args[1];
        Instant started = Instant.now();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        server.createContext("/status", exchange -> answer(exchange, "application/json",
                "{\"nodeId\":\"" + json(nodeId) + "\",\"status\":\"running\",\"port\":" + port
                        + ",\"pid\":" + ProcessHandle.current().pid() + ",\"startedAt\":\"" + started + "\"}"));
        server.createContext("/", exchange -> answer(exchange, "text/html; charset=utf-8", """
                <!doctype html>
                <html lang="en"><head><title>Edge Hive node %1$s</title></head>
                <body style="font-family: sans-serif; line-height: 1.5">
                  <h1>Edge Hive node %1$s</h1>
                  <p>Status: <strong>running</strong> on port %2$d (process %3$d) since %4$s.</p>
                  <p>This is local mode's demo node; set <code>local.node-command</code> to run your own.</p>
                </body></html>
                """.formatted(html(nodeId), port, ProcessHandle.current().pid(), started)));
        server.start();
        System.out.println("demo node " + nodeId + " listening on http://localhost:" + port);
    }

    private static void answer(HttpExchange exchange, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String html(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String json(String text) {
        return text.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
