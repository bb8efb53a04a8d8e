package io.infernet.node.protocol.testing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.infernet.engines.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * An Ollama on loopback for the node's model commands: {@code GET /api/tags} lists the pulled
 * models, {@code POST /api/pull} streams Ollama's NDJSON progress (manifest, layer bytes,
 * verifying, writing, success; {@code {"error": "pull model manifest: file does not exist"}} for
 * a name in {@link #missing}) and adds the model, {@code DELETE /api/delete} removes one (404
 * when absent). Records the pulls and deletes it was asked for.
 */
public final class FakeOllama implements AutoCloseable {

    public final List<String> models = new CopyOnWriteArrayList<>();
    public final List<String> pulls = new CopyOnWriteArrayList<>();
    public final List<String> deletes = new CopyOnWriteArrayList<>();
    public final List<String> missing = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    public FakeOllama(String... present) throws IOException {
        models.addAll(List.of(present));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String model = body.isEmpty() ? "" : Json.MAPPER.readTree(body).path("model").asText(Json.MAPPER.readTree(body).path("name").asText());
            switch (ex.getRequestMethod() + " " + ex.getRequestURI().getPath()) {
                case "GET /api/tags" -> {
                    ObjectNode tags = Json.object();
                    ArrayNode a = tags.putArray("models");
                    models.forEach(m -> a.addObject().put("name", m).put("model", m).put("size", 1000));
                    send(ex, 200, "application/json", Json.compact(tags));
                }
                case "POST /api/pull" -> {
                    pulls.add(model);
                    String digest = "sha256:" + "6a0746a1ec1a".repeat(5) + "6a07";
                    String lines = missing.contains(model)
                            ? "{\"status\":\"pulling manifest\"}\n{\"error\":\"pull model manifest: file does not exist\"}\n"
                            : "{\"status\":\"pulling manifest\"}\n"
                            + "{\"status\":\"pulling 6a0746a1ec1a\",\"digest\":\"" + digest + "\",\"total\":1000}\n"
                            + "{\"status\":\"pulling 6a0746a1ec1a\",\"digest\":\"" + digest + "\",\"total\":1000,\"completed\":500}\n"
                            + "{\"status\":\"pulling 6a0746a1ec1a\",\"digest\":\"" + digest + "\",\"total\":1000,\"completed\":1000}\n"
                            + "{\"status\":\"verifying sha256 digest\"}\n{\"status\":\"writing manifest\"}\n{\"status\":\"success\"}\n";
                    if (!missing.contains(model) && !models.contains(model)) {
                        models.add(model);
                    }
                    send(ex, 200, "application/x-ndjson", lines);
                }
                case "DELETE /api/delete" -> {
                    deletes.add(model);
                    if (models.remove(model)) {
                        send(ex, 200, "application/json", "");
                    } else {
                        send(ex, 404, "application/json", "{\"error\":\"model '" + model + "' not found\"}");
                    }
                }
                default -> send(ex, 404, "text/plain", "404 page not found");
            }
        }
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("content-type", type);
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            try (OutputStream os = ex.getResponseBody()) {
                os.write(b);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
