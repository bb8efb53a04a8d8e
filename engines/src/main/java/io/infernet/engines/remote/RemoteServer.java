package io.infernet.engines.remote;

import io.infernet.engines.EngineException;
import io.infernet.engines.Generation;
import io.infernet.engines.GenerationListener;
import io.infernet.engines.Health;
import io.infernet.engines.ModelInfo;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The HTTP side every remote engine shares: one client for one server, its requests (JSON
 * posts and GETs with the endpoint's authorization and the accept timeout), the running
 * generations, the default model (named, else the first the server lists), the health probe,
 * and the wording of what goes wrong. Thread-safe.
 */
public final class RemoteServer implements AutoCloseable {

    private final Endpoint endpoint;
    private final RemoteOptions options;
    private final String label;
    private final String defaultModel;
    private final HttpClient client;
    private final SessionRegistry sessions = new SessionRegistry();
    private volatile String listedModel;

    /**
     * @param label        what the server is, for messages: "vLLM server", "Ollama server"
     * @param defaultModel the model for requests that name none; null means the first one the server lists
     */
    public RemoteServer(String label, Endpoint endpoint, String defaultModel, RemoteOptions options) {
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.options = Objects.requireNonNull(options, "options");
        this.label = label;
        this.defaultModel = defaultModel == null || defaultModel.isBlank() ? null : defaultModel;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(options.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    public RemoteOptions options() {
        return options;
    }

    public HttpClient client() {
        return client;
    }

    /** "vLLM server at http://127.0.0.1:8000", for messages. */
    public String server() {
        return label + " at " + endpoint.base();
    }

    /** @throws EngineException UNAVAILABLE once closed */
    public void checkOpen() {
        sessions.checkOpen(server());
    }

    /** Tracks a generation so that {@link #close()} cancels it. */
    public <G extends Generation> G track(Function<Runnable, G> start) {
        return sessions.track(start);
    }

    /** A JSON POST to {@code path}. */
    public HttpRequest.Builder post(String path, String json) {
        return endpoint.authorize(HttpRequest.newBuilder(endpoint.resolve(path))
                .timeout(options.acceptTimeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** A GET of {@code path} that wants JSON. */
    public HttpRequest.Builder get(String path) {
        return endpoint.authorize(HttpRequest.newBuilder(endpoint.resolve(path))
                .timeout(options.acceptTimeout()).GET().header("Accept", "application/json"));
    }

    /** Notes the server's model list; its first model becomes the default when none is named. */
    public List<ModelInfo> listed(List<ModelInfo> models) {
        if (!models.isEmpty()) {
            listedModel = models.getFirst().id();
        }
        return models;
    }

    /**
     * The model a request runs on: the one it names, else the default, else the first listed.
     *
     * @param list  asks the server for its models (once, when nothing else decides)
     * @param empty the refusal when the server lists no model
     */
    public String resolveModel(String requested, Supplier<List<ModelInfo>> list, Supplier<EngineException> empty) {
        if (requested != null && !requested.isBlank()) {
            return requested;
        }
        if (defaultModel != null) {
            return defaultModel;
        }
        String m = listedModel;
        if (m == null) {
            List<ModelInfo> models = list.get();
            if (models.isEmpty()) {
                throw empty.get();
            }
            m = models.getFirst().id();
        }
        return m;
    }

    /**
     * A GET of {@code path} within the health budget; never throws.
     *
     * @param describe what a good answer says (e.g. "serves m1, m2"); throws IllegalArgumentException on a body it cannot read
     * @param what     the answer expected, for a body that is not it ("a model list")
     */
    public Health health(String path, Function<String, String> describe, String what) {
        HttpProbe.Result r = HttpProbe.get(endpoint, path, options.healthTimeout());
        if (!r.ok()) {
            return Health.down(server() + ": " + r.failure(), r.latency());
        }
        try {
            return Health.up(server() + " " + describe.apply(r.body()), r.latency());
        } catch (IllegalArgumentException e) {
            return Health.down(server() + ": " + path + " answered something that is not " + what, r.latency());
        }
    }

    /**
     * Sends {@code request} for {@code call} and, once the server has accepted it, streams its
     * answer as a tracked {@link RemoteGeneration} of {@code engine} on {@code model}; events reach
     * {@code listener} on the generation's reader thread.
     *
     * @throws EngineException as {@link RemoteCall#stream} when the request is refused or fails
     */
    public Generation stream(String engine, String model, RemoteCall call, HttpRequest request, StreamDecoder decoder,
            GenerationListener listener) {
        InputStream body = call.stream(client, request, options);
        return track(g -> new RemoteGeneration(engine, model, server(), body, decoder, listener, options.idleTimeout(), g).start());
    }

    /**
     * Sends {@code request} for {@code call} and reads the body of its 2xx answer with
     * {@code read}, on the calling thread.
     *
     * @param read throws IllegalArgumentException on a body it cannot read, which becomes {@link #unreadable}
     * @throws EngineException as {@link RemoteCall#text} for a refused or failed request; INTERNAL for an unreadable body
     */
    public <T> T read(RemoteCall call, HttpRequest request, Function<String, T> read) {
        String body = call.text(client, request, options);
        try {
            return read.apply(body);
        } catch (IllegalArgumentException e) {
            throw unreadable(call.path(), e);
        }
    }

    /** The server answered {@code path} with a body this client cannot read. */
    public EngineException unreadable(String path, IllegalArgumentException e) {
        return new EngineException(EngineException.Kind.INTERNAL, "the " + server() + " answered " + path
                + " with something this client cannot read: " + e.getMessage(), null, null, e);
    }

    /** Cancels running generations (each ends with {@code Done(CANCEL)}), then drops the connections. */
    @Override
    public void close() {
        sessions.close();
        client.shutdownNow();
    }
}
