package io.infernet.engines.openai;

import io.infernet.engines.Embeddings;
import io.infernet.engines.Engine;
import io.infernet.engines.EngineException;
import io.infernet.engines.GenerationEvent;
import io.infernet.engines.Generation;
import io.infernet.engines.GenerationListener;
import io.infernet.engines.GenerationRequest;
import io.infernet.engines.Health;
import io.infernet.engines.ModelInfo;
import io.infernet.engines.remote.Endpoint;
import io.infernet.engines.Json;
import io.infernet.engines.remote.RemoteCall;
import io.infernet.engines.remote.RemoteGeneration;
import io.infernet.engines.remote.RemoteOptions;
import io.infernet.engines.remote.RemoteServer;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Objects;

/**
 * A client of an OpenAI-compatible server: vLLM, or llama.cpp's llama-server (the same wire,
 * {@link OpenAiDialect} holds the differences). Generations stream
 * ({@code "stream": true}, usage asked for with {@code stream_options.include_usage}).
 *
 * <p>{@link #generate} blocks until the server has accepted the request (its response headers:
 * vLLM sends them at once, llama-server after the first token), so that refusals throw as the
 * {@link Engine} contract says: a server that is not up is {@code UNAVAILABLE}, HTTP 400 is
 * {@code INVALID_REQUEST} or {@code CONTEXT_LENGTH_EXCEEDED}, 404 naming a model is
 * {@code MODEL_NOT_FOUND}, 429 is {@code OVERLOADED} with the server's Retry-After. Everything
 * after that arrives as events (see {@link RemoteGeneration}). Interrupting the calling thread
 * while it waits abandons the request.
 *
 * <p>The API key, if any, is sent as a bearer token and appears nowhere else.
 */
public final class OpenAiEngine implements Engine {

    private final OpenAiDialect dialect;
    private final RemoteServer http;

    /**
     * @param defaultModel the model used when a request names none; null means the first one
     *                     the server lists
     */
    public OpenAiEngine(OpenAiDialect dialect, Endpoint endpoint, String defaultModel, RemoteOptions options) {
        this.dialect = Objects.requireNonNull(dialect, "dialect");
        this.http = new RemoteServer(dialect.label(), endpoint, defaultModel, options);
    }

    public OpenAiEngine(OpenAiDialect dialect, Endpoint endpoint) {
        this(dialect, endpoint, null, RemoteOptions.DEFAULTS);
    }

    @Override
    public String kind() {
        return dialect.kind();
    }

    public Endpoint endpoint() {
        return http.endpoint();
    }

    /** "vLLM server at http://127.0.0.1:8000", for messages. */
    public String server() {
        return http.server();
    }

    @Override
    public Generation generate(GenerationRequest request, GenerationListener listener) {
        Objects.requireNonNull(listener, "listener");
        http.checkOpen();
        String model = resolveModel(request.model());
        String path = OpenAiRequests.path(request);
        HttpRequest req = post(path, Json.write(OpenAiRequests.body(dialect, model, request, true)))
                .header("Accept", "text/event-stream").build();
        return http.stream(kind(), model, call(path, model, request), req,
                new SseDecoder(request.isChat(), request.decoding().topLogprobs()), listener);
    }

    /**
     * The same request without streaming ({@code "stream": false}): blocks until the whole
     * answer is there. Returns the {@code Done} a stream would end with, or an {@code Error}
     * when the server reports an aborted generation.
     */
    public GenerationEvent complete(GenerationRequest request) {
        http.checkOpen();
        String model = resolveModel(request.model());
        String path = OpenAiRequests.path(request);
        HttpRequest req = post(path, Json.write(OpenAiRequests.body(dialect, model, request, false))).build();
        return http.read(call(path, model, request), req, body -> OpenAiResponses.completion(body, request.isChat()));
    }

    @Override
    public Embeddings embed(String model, List<String> inputs) {
        http.checkOpen();
        if (inputs.isEmpty()) {
            return new Embeddings(List.of(), 0);
        }
        String m = resolveModel(model);
        HttpRequest req = post("/v1/embeddings", Json.write(OpenAiRequests.embeddings(m, inputs))).build();
        return http.read(new RemoteCall(server(), "/v1/embeddings", m, "input"), req,
                body -> OpenAiResponses.embeddings(body, inputs.size()));
    }

    /** {@code GET /v1/models}. @throws EngineException UNAVAILABLE when the server cannot be asked */
    @Override
    public List<ModelInfo> models() {
        return http.listed(http.read(new RemoteCall(server(), "/v1/models", null, null), http.get("/v1/models").build(),
                body -> OpenAiResponses.models(body, kind())));
    }

    /** A GET of {@code /v1/models} within the health budget (500 ms); never throws. */
    @Override
    public Health health() {
        return http.health("/v1/models", body -> {
            List<String> ids = OpenAiResponses.models(body, kind()).stream().map(ModelInfo::id).toList();
            return "serves " + (ids.isEmpty() ? "no model" : String.join(", ", ids));
        }, "a model list");
    }

    /** Cancels running generations (each ends with {@code Done(CANCEL)}), then drops the connections. */
    @Override
    public void close() {
        http.close();
    }

    private String resolveModel(String requested) {
        return http.resolveModel(requested, this::models,
                () -> new EngineException(EngineException.Kind.UNAVAILABLE, "the " + server() + " lists no model"));
    }

    private HttpRequest.Builder post(String path, String json) {
        return http.post(path, json);
    }

    private RemoteCall call(String path, String model, GenerationRequest r) {
        return new RemoteCall(server(), path, model, r.isChat() ? "messages" : "prompt");
    }
}
