package io.infernet.engines.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import io.infernet.engines.Embeddings;
import io.infernet.engines.ModelInfo;
import io.infernet.engines.Json;
import java.util.ArrayList;
import java.util.List;

/** Reads Ollama's non-streamed answers. Unreadable answers throw IllegalArgumentException. */
public final class OllamaResponses {
    private OllamaResponses() {}

    /**
     * {@code GET /api/tags}: {@code models[].name}. The context length is the {@code num_ctx}
     * this client sends; any Ollama model answers {@code /api/embed}.
     */
    public static List<ModelInfo> tags(String body, int numCtx) {
        JsonNode models = Json.parseObject(body).get("models");
        if (models == null || !models.isArray()) {
            throw new IllegalArgumentException("a tag list without a models array");
        }
        List<ModelInfo> out = new ArrayList<>();
        for (JsonNode m : models) {
            String name = Json.text(m, "name");
            if (name == null) {
                name = Json.text(m, "model");
            }
            if (name != null) {
                out.add(new ModelInfo(name, OllamaEngine.KIND, numCtx, true));
            }
        }
        return out;
    }

    /** {@code POST /api/embed}: {@code embeddings[][]}, in input order. */
    public static Embeddings embeddings(String body, int inputs) {
        JsonNode root = Json.parseObject(body);
        JsonNode e = root.get("embeddings");
        if (e == null || !e.isArray() || e.size() != inputs) {
            throw new IllegalArgumentException("expected " + inputs + " embeddings, got " + (e == null || !e.isArray() ? "none" : e.size()));
        }
        List<float[]> out = new ArrayList<>(inputs);
        for (JsonNode v : e) {
            if (!v.isArray()) {
                throw new IllegalArgumentException("an embedding that is not an array");
            }
            out.add(Json.floats(v));
        }
        return new Embeddings(out, root.path("prompt_eval_count").asInt(-1));
    }

    /** One line of {@code /api/pull} progress; an {@code error} line is returned as an IllegalStateException's message. */
    public static PullProgress pullLine(String line) {
        JsonNode n = Json.parseObject(line);
        if (n.hasNonNull("error")) {
            JsonNode err = n.get("error");
            throw new IllegalStateException(err.isTextual() ? err.asText() : Json.write(err));
        }
        String status = Json.text(n, "status");
        if (status == null) {
            throw new IllegalArgumentException("a progress line without status");
        }
        return new PullProgress(status, Json.text(n, "digest"), Math.max(0, n.path("total").asLong(0)), Math.max(0, n.path("completed").asLong(0)));
    }
}
