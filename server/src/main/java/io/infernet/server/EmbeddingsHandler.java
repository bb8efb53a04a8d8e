package io.infernet.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.infernet.engines.Engine;
import io.infernet.engines.Embeddings;
import io.infernet.engines.EngineException;
import io.infernet.engines.ModelInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;

/**
 * {@code POST /v1/embeddings}: one vector per input, as floats or (encoding_format base64, what
 * the OpenAI Python SDK asks for by default) as base64 of little-endian float32s.
 *
 * <p>{@code usage} counts the engine's prompt tokens (0 where a remote engine does not say).
 */
final class EmbeddingsHandler implements Handler {

    private final Engine engine;
    private final ServerConfig cfg;
    private final ServedModels models;
    private final int bytesPerToken;

    EmbeddingsHandler(Engine engine, ServerConfig cfg, ServedModels models, EdgeConfig edge) {
        this.engine = engine;
        this.cfg = cfg;
        this.models = models;
        this.bytesPerToken = edge.bodyBytesPerToken();
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        RequestParser.ParsedEmbeddings parsed = RequestParser.embeddings(RequestBody.readObject(req, cfg.maxBodyBytes()));
        checkInputSizes(parsed.inputs());
        ServedModels.Resolved model = models.resolve(parsed.model());
        List<float[]> vectors;
        int promptTokens;
        try {
            Embeddings result = engine.embed(model.engineModel(), parsed.inputs());
            vectors = result == null ? null : result.vectors();
            promptTokens = result == null ? 0 : Math.max(0, result.promptTokens());
        } catch (EngineException e) {
            throw OpenAiErrors.fromEngine(e);
        }
        if (vectors == null || vectors.size() != parsed.inputs().size()) {
            throw new IllegalStateException("engine returned " + (vectors == null ? "null" : vectors.size())
                    + " embeddings for " + parsed.inputs().size() + " inputs");
        }
        ObjectNode root = Json.object();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        for (int i = 0; i < vectors.size(); i++) {
            ObjectNode item = data.addObject();
            item.put("object", "embedding");
            item.put("index", i);
            float[] v = vectors.get(i);
            if (parsed.base64()) {
                item.put("embedding", base64(v));
            } else {
                ArrayNode arr = item.putArray("embedding");
                for (float f : v) {
                    arr.add(f);
                }
            }
        }
        root.put("model", model.report(model.engineModel() != null ? model.engineModel() : defaultEmbeddingModel()));
        ObjectNode usage = root.putObject("usage");
        usage.put("prompt_tokens", promptTokens);
        usage.put("total_tokens", promptTokens);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(Json.bytes(root));
    }

    /** An input longer than any served context could hold is refused before it is tokenized. */
    private void checkInputSizes(List<String> inputs) {
        int context = models.maxContextTokens();
        if (context <= 0) {
            return;
        }
        long bound = (long) context * bytesPerToken;
        for (int i = 0; i < inputs.size(); i++) {
            long bytes = inputs.get(i).length(); // UTF-16 units: at most the UTF-8 bytes, so a looser check than the bound says
            if (bytes > bound) {
                throw new ApiException(400, ApiException.INVALID_REQUEST, "input", "context_length_exceeded", "input[" + i + "] has "
                        + bytes + " characters, more than a context of " + context + " tokens can hold; shorten it.");
            }
        }
    }

    /** The model that answered a request naming none: the first that embeds, else the first. */
    private String defaultEmbeddingModel() {
        List<ModelInfo> models = engine.models();
        return models.stream().filter(ModelInfo::embeddings).findFirst()
                .or(() -> models.stream().findFirst())
                .map(ModelInfo::id).orElse("");
    }

    static String base64(float[] v) {
        ByteBuffer buf = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            buf.putFloat(f);
        }
        return Base64.getEncoder().encodeToString(buf.array());
    }
}
