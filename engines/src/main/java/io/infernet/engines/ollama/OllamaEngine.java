package io.infernet.engines.ollama;

import io.infernet.engines.Embeddings;
import io.infernet.engines.Engine;
import io.infernet.engines.EngineException;
import io.infernet.engines.Generation;
import io.infernet.engines.GenerationListener;
import io.infernet.engines.GenerationRequest;
import io.infernet.engines.Health;
import io.infernet.engines.ModelInfo;
import io.infernet.engines.remote.Endpoint;
import io.infernet.engines.remote.HttpFailures;
import io.infernet.engines.Json;
import io.infernet.engines.remote.RemoteCall;
import io.infernet.engines.remote.RemoteOptions;
import io.infernet.engines.remote.RemoteServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A client of Ollama's native API: {@code /api/chat} and {@code /api/generate} (raw prompts)
 * streamed as NDJSON, {@code /api/embed}, {@code /api/tags}, {@code /api/pull} with progress,
 * {@code /api/delete}. Every request carries {@code num_ctx} and {@code num_thread}
 * ({@link OllamaOptions}).
 *
 * <p>As with the OpenAI client, {@link #generate} blocks until Ollama accepts the request
 * (it answers a missing model with 404 at once, so that refusal throws {@code MODEL_NOT_FOUND});
 * a server that is not up throws {@code UNAVAILABLE}; what follows arrives as events. Ollama
 * cuts a prompt longer than {@code num_ctx} instead of refusing it, so a context-length error
 * is never raised here.
 */
public final class OllamaEngine implements Engine {
    public static final String KIND = "ollama";
    public static final int DEFAULT_PORT = 11434;

    private final OllamaOptions ollama;
    private final RemoteServer http;

    /** @param defaultModel the model for requests that name none; null means the first one Ollama lists */
    public OllamaEngine(Endpoint endpoint, OllamaOptions ollama, String defaultModel, RemoteOptions options) {
        this.ollama = Objects.requireNonNull(ollama, "ollama");
        this.http = new RemoteServer("Ollama server", endpoint, defaultModel, options);
    }

    public OllamaEngine(Endpoint endpoint, OllamaOptions ollama) {
        this(endpoint, ollama, null, RemoteOptions.DEFAULTS);
    }

    @Override
    public String kind() {
        return KIND;
    }

    public Endpoint endpoint() {
        return http.endpoint();
    }

    public OllamaOptions ollamaOptions() {
        return ollama;
    }

    /** "Ollama server at http://127.0.0.1:11434", for messages. */
    public String server() {
        return http.server();
    }

    @Override
    public Generation generate(GenerationRequest request, GenerationListener listener) {
        Objects.requireNonNull(listener, "listener");
        http.checkOpen();
        String model = resolveModel(request.model());
        String path = OllamaRequests.path(request);
        String json = Json.write(OllamaRequests.generation(model, request, ollama));
        return http.stream(KIND, model, new RemoteCall(server(), path, model, request.isChat() ? "messages" : "prompt"),
                post(path, json).build(), new NdjsonDecoder(request.isChat()), listener);
    }

    @Override
    public Embeddings embed(String model, List<String> inputs) {
        http.checkOpen();
        if (inputs.isEmpty()) {
            return new Embeddings(List.of(), 0);
        }
        String m = resolveModel(model);
        return http.read(new RemoteCall(server(), "/api/embed", m, "input"),
                post("/api/embed", Json.write(OllamaRequests.embed(m, inputs, ollama))).build(),
                body -> OllamaResponses.embeddings(body, inputs.size()));
    }

    /** {@code GET /api/tags}. @throws EngineException UNAVAILABLE when Ollama cannot be asked */
    @Override
    public List<ModelInfo> models() {
        return http.listed(http.read(new RemoteCall(server(), "/api/tags", null, null), http.get("/api/tags").build(),
                body -> OllamaResponses.tags(body, ollama.numCtx())));
    }

    /** A GET of {@code /api/tags} within the health budget (500 ms); never throws. */
    @Override
    public Health health() {
        return http.health("/api/tags", body -> {
            List<String> names = OllamaResponses.tags(body, ollama.numCtx()).stream().map(ModelInfo::id).toList();
            return "has " + (names.isEmpty() ? "no model (pull one)" : String.join(", ", names));
        }, "a tag list");
    }

    /**
     * Downloads {@code model} ({@code POST /api/pull}), reporting each progress line to
     * {@code progress} on the calling thread; returns after Ollama says {@code success}.
     * Interrupting the calling thread abandons the pull.
     *
     * @throws EngineException MODEL_NOT_FOUND when the registry has no such model, UNAVAILABLE
     *     when Ollama cannot be reached or the pull fails (Ollama's words are in the message)
     */
    public void pull(String model, Consumer<PullProgress> progress) {
        http.checkOpen();
        Objects.requireNonNull(model, "model");
        RemoteCall call = new RemoteCall(server(), "/api/pull", model, null);
        InputStream body = call.stream(http.client(), post("/api/pull", Json.write(OllamaRequests.pull(model))).build(),
                http.options());
        try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                PullProgress p;
                try {
                    p = OllamaResponses.pullLine(line);
                } catch (IllegalStateException said) {
                    throw pullFailed(model, said.getMessage());
                } catch (IllegalArgumentException e) {
                    throw unreadable("/api/pull", e);
                }
                progress.accept(p);
                if (p.status().equals("success")) {
                    return;
                }
            }
            throw new EngineException(EngineException.Kind.UNAVAILABLE, "pulling '" + model + "': " + server()
                    + " ended the progress stream before reporting success");
        } catch (IOException e) {
            throw new EngineException(EngineException.Kind.UNAVAILABLE, "pulling '" + model + "': lost the connection to the "
                    + server() + ": " + HttpFailures.describe(e, http.options()), null, null, e);
        }
    }

    /**
     * Removes {@code model} from Ollama ({@code DELETE /api/delete}).
     *
     * @throws EngineException MODEL_NOT_FOUND when Ollama does not have it
     */
    public void delete(String model) {
        http.checkOpen();
        HttpRequest req = http.post("/api/delete", Json.write(OllamaRequests.delete(model)))
                .method("DELETE", HttpRequest.BodyPublishers.ofString(Json.write(OllamaRequests.delete(model)))).build();
        new RemoteCall(server(), "/api/delete", model, null).text(http.client(), req, http.options());
    }

    /** Cancels running generations (each ends with {@code Done(CANCEL)}), then drops the connections. */
    @Override
    public void close() {
        http.close();
    }

    private EngineException pullFailed(String model, String said) {
        String s = said.toLowerCase(Locale.ROOT);
        boolean missing = s.contains("does not exist") || s.contains("not found");
        return new EngineException(missing ? EngineException.Kind.MODEL_NOT_FOUND : EngineException.Kind.UNAVAILABLE,
                "pulling '" + model + "' failed: " + said, "model");
    }

    private String resolveModel(String requested) {
        return http.resolveModel(requested, this::models, () -> new EngineException(EngineException.Kind.MODEL_NOT_FOUND,
                server() + " has no model; pull one first (ollama pull <model>)", "model"));
    }

    private HttpRequest.Builder post(String path, String json) {
        return http.post(path, json);
    }

    private EngineException unreadable(String path, IllegalArgumentException e) {
        return http.unreadable(path, e);
    }
}
