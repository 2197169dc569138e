package cloud.edgehive.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.apache.camel.Message;

import cloud.edgehive.problem.ProblemException;

/**
 * The dashboard's few static files, read once from the classpath: htmx from its webjar (no CDN, no
 * npm build) and the dashboard's own stylesheet and script. A fixed list, so no path from a request
 * ever reaches the class loader. (Camel's own static serving reads files as text from the working
 * directory, which is why the service serves these itself.)
 */
public class Assets {

    private record Asset(String contentType, String text) {
    }

    private final Map<String, Asset> assets;

    public Assets() {
        String htmxVersion = webjarVersion("htmx.org");
        this.assets = Map.of(
                "htmx.min.js", new Asset("text/javascript; charset=utf-8",
                        read("META-INF/resources/webjars/htmx.org/" + htmxVersion + "/dist/htmx.min.js")),
                "app.js", new Asset("text/javascript; charset=utf-8", read("web/app.js")),
                "app.css", new Asset("text/css; charset=utf-8", read("web/app.css")),
                "icon.svg", new Asset("image/svg+xml", read("web/icon.svg")));
    }

    public void serve(Exchange exchange, @Header("file") String file) {
        Asset asset = file == null ? null : assets.get(file);
        if (asset == null) {
            throw new ProblemException(404, "Not found", "There is no such page");
        }
        Message message = exchange.getMessage();
        message.removeHeaders("*");
        message.setHeader(Exchange.CONTENT_TYPE, asset.contentType());
        Pages.cacheControl(exchange, "public, max-age=3600");
        message.setHeader("X-Content-Type-Options", "nosniff");
        message.setBody(asset.text());
    }

    /** The version of the webjar on the classpath (the pom pins it), from its Maven metadata. */
    private static String webjarVersion(String artifact) {
        java.util.Properties pom = new java.util.Properties();
        try (java.io.StringReader in = new java.io.StringReader(read("META-INF/maven/org.webjars.npm/" + artifact + "/pom.properties"))) {
            pom.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pom.getProperty("version");
    }

    private static String read(String resource) {
        try (InputStream in = Assets.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Missing dashboard asset on the classpath: " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
