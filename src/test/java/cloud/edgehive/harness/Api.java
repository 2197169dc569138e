package cloud.edgehive.harness;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Calls to the node management API as a client would make them, with or without a bearer token. */
public final class Api {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final RunningService service;

    public Api(RunningService service) {
        this.service = service;
    }

    public HttpResponse<String> get(String path, String token) {
        return RunningService.send(request(path, token).GET().build());
    }

    public HttpResponse<String> delete(String path, String token) {
        return RunningService.send(request(path, token).DELETE().build());
    }

    public HttpResponse<String> post(String path, String token, String body, Map<String, String> headers) {
        HttpRequest.Builder request = request(path, token)
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (!headers.containsKey("Content-Type")) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(request::header);
        return RunningService.send(request.build());
    }

    public static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (JsonProcessingException e) {
            throw new AssertionError("Not JSON (" + response.statusCode() + "): " + response.body(), e);
        }
    }

    private HttpRequest.Builder request(String path, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service.url(path)));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return request;
    }
}
