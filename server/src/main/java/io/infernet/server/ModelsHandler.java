package io.infernet.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.infernet.engines.ModelInfo;

/**
 * {@code GET /v1/models} and {@code GET /v1/models/{id}} in OpenAI's list format, aliases
 * ({@code --model-alias}) listed after the engine's models as models of their own. {@code created}
 * is when this server started (the engine does not know when a model was made); {@code owned_by}
 * is the engine kind.
 */
final class ModelsHandler {

    private final ServedModels models;
    private final long startedAt;

    ModelsHandler(ServedModels models, long startedAtEpochSecond) {
        this.models = models;
        this.startedAt = startedAtEpochSecond;
    }

    void list(ServerRequest req, ServerResponse res) {
        ObjectNode root = Json.object();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        for (ModelInfo m : models.listed()) {
            data.add(model(m));
        }
        send(res, root);
    }

    void one(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        ModelInfo m = models.listed().stream().filter(x -> x.id().equals(id)).findFirst()
                .orElseThrow(() -> new ApiException(404, ApiException.INVALID_REQUEST, "model", "model_not_found",
                        "The model '" + id + "' does not exist on this server; GET /v1/models lists the ones it serves."));
        send(res, model(m));
    }

    private ObjectNode model(ModelInfo m) {
        ObjectNode o = Json.object();
        o.put("id", m.id());
        o.put("object", "model");
        o.put("created", startedAt);
        o.put("owned_by", m.engine());
        return o;
    }

    private static void send(ServerResponse res, ObjectNode body) {
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(Json.bytes(body));
    }
}
