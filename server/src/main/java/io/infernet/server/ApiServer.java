package io.infernet.server;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.HttpRouting;
import io.infernet.engines.Engine;
import io.infernet.engines.EngineException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The node's OpenAI-compatible HTTP API over one {@link Engine}: Helidon SE on virtual threads
 * (one per request), JSON in and out, streams as Server-Sent Events.
 *
 * <p>Routes: {@code POST /v1/chat/completions}, {@code POST /v1/completions},
 * {@code POST /v1/embeddings}, {@code POST /v1/responses}, {@code POST /apply-template},
 * {@code GET /v1/models}, {@code GET /v1/models/{id}},
 * {@code GET /health}, {@code GET /metrics}. Everything else, and every error, is answered in
 * OpenAI's error shape.
 *
 * <p>The edge ({@link EdgeConfig}): every connection goes through {@link EdgeConnections}
 * (request-head and body deadlines, HTTP/1.0, disconnect watch); Helidon itself closes idle
 * kept-alive connections and refuses long request lines (414), large headers (431 here) and
 * bodies over {@link ServerConfig#maxBodyBytes()} (413). Filters, in order: request phases,
 * {@code Connection: close}, the request counter, CORS and origins ({@link CorsFilter}), the API
 * key. Model names and aliases: {@link ServedModels}.
 *
 * <p>Ownership: the server does not own the engine; {@link #close()} cancels the running
 * generations and stops serving, and the caller closes the engine afterwards.
 */
public final class ApiServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ApiServer.class.getName());

    /** Served paths and the one method each takes ({@code /v1/models/{id}} is matched apart). */
    static final Map<String, String> ROUTES;

    static {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("/v1/chat/completions", "POST");
        m.put("/v1/completions", "POST");
        m.put("/v1/embeddings", "POST");
        m.put("/v1/responses", "POST");
        m.put("/apply-template", "POST");
        m.put("/v1/models", "GET");
        m.put("/health", "GET");
        m.put("/metrics", "GET");
        ROUTES = java.util.Collections.unmodifiableMap(m);
    }

    private final WebServer server;
    private final Generations generations;
    private final ServerConfig cfg;
    private final EdgeConnections connections;
    private final Engine engine;
    private final AtomicReference<StreamingWarmup> warmup;

    private ApiServer(WebServer server, Generations generations, ServerConfig cfg, EdgeConnections connections, Engine engine,
                      AtomicReference<StreamingWarmup> warmup) {
        this.server = server;
        this.generations = generations;
        this.cfg = cfg;
        this.connections = connections;
        this.engine = engine;
        this.warmup = warmup;
    }

    /** As {@link #start(Engine, ServerConfig, EdgeConfig)} with {@link EdgeConfig#defaults()}. */
    public static ApiServer start(Engine engine, ServerConfig cfg) {
        return start(engine, cfg, EdgeConfig.defaults());
    }

    /**
     * Starts serving {@code engine}; its {@link Engine#stats()}, where it has them, go to /metrics.
     *
     * @throws IllegalStateException when the address cannot be bound
     */
    public static ApiServer start(Engine engine, ServerConfig cfg, EdgeConfig edge) {
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(cfg, "cfg");
        Objects.requireNonNull(edge, "edge");
        Metrics metrics = new Metrics();
        Generations generations = new Generations(engine, metrics);
        ServedModels served = new ServedModels(engine, edge);
        GenerationResponder responder = new GenerationResponder(generations, cfg, edge, served);
        ModelsHandler models = new ModelsHandler(served, Instant.now().getEpochSecond());
        EdgeConnections connections = new EdgeConnections(edge);
        AtomicReference<StreamingWarmup> warmup = new AtomicReference<>();

        HttpRouting.Builder routing = HttpRouting.builder();
        routing.addFilter(connections.phases());
        routing.addFilter(new ConnectionCloseFilter());
        routing.addFilter(new MetricsHandler.RequestCounter(metrics, ROUTES.keySet()));
        routing.addFilter(new CorsFilter(edge.corsOrigins()));
        if (cfg.apiKey() != null) {
            routing.addFilter(new ApiKeyFilter(cfg.apiKey()));
        }
        routing.post("/v1/chat/completions", responder.handler(RequestParser::chat, ChatCompletionFormat.INSTANCE))
                .post("/v1/completions", responder.handler(RequestParser::completion, TextCompletionFormat.INSTANCE))
                .post("/v1/embeddings", new EmbeddingsHandler(engine, cfg, served, edge))
                .post("/v1/responses", new ResponsesHandler(cfg, responder, new ResponseStore(ResponseStore.DEFAULT_CAPACITY)))
                .post("/apply-template", new ApplyTemplateHandler(engine, responder))
                .get("/v1/models", models::list)
                .get("/v1/models/{+id}", models::one)
                .get("/health", new HealthHandler(engine, () -> {
                    StreamingWarmup w = warmup.get();
                    return w == null ? null : w.detail();
                }))
                .get("/metrics", new MetricsHandler(metrics, engine));
        ROUTES.forEach((path, method) -> routing.any(path, (req, res) -> {
            res.header(HeaderNames.ALLOW, method);
            throw OpenAiErrors.methodNotAllowed(req.prologue().method().text(), req.path().path());
        }));
        routing.any("/v1/models/{+id}", (req, res) -> {
            res.header(HeaderNames.ALLOW, "GET");
            throw OpenAiErrors.methodNotAllowed(req.prologue().method().text(), req.path().path());
        });
        routing.any((req, res) -> {
            throw OpenAiErrors.notFound(req.prologue().method().text(), req.path().path());
        });
        routing.error(ApiException.class, (req, res, e) -> OpenAiErrors.send(res, e));
        routing.error(EngineException.class, (req, res, e) -> OpenAiErrors.send(res, OpenAiErrors.fromEngine(e)));
        routing.error(Exception.class, (req, res, e) -> {
            String ref = GenerationResponder.randomId().substring(0, 8);
            LOG.log(System.Logger.Level.ERROR, "internal error (ref " + ref + ") on " + req.prologue().method().text() + " " + req.path().path(), e);
            OpenAiErrors.send(res, OpenAiErrors.internal(ref));
        });

        WebServer server;
        try {
            server = WebServer.builder()
                    .host(cfg.host())
                    .port(cfg.port())
                    .shutdownHook(false) // the owner decides when to stop (ServeCommand: its own hook)
                    // Every SSE event is flushed to go out at once; with Nagle's algorithm on (Helidon's
                    // default) a small write waits while an earlier one is unacknowledged, and a client's
                    // delayed ACK held the first token ~40 ms (seen here: TTFT p50 51 ms at 4 streams).
                    .connectionOptions(o -> o.tcpNoDelay(true))
                    // One protocol, ours: HTTP/1.1 (and 1.0) through EdgeConnections, with its limits.
                    .protocolsDiscoverServices(false)
                    .addConnectionSelector(connections)
                    .maxPayloadSize(cfg.maxBodyBytes())
                    .idleConnectionTimeout(edge.idleTimeout())
                    .idleConnectionPeriod(idleCheckPeriod(edge.idleTimeout()))
                    // Helidon's messages reach the direct handlers (to tell 431 from other 400s); none carries a header's value.
                    .errorHandling(e -> e.includeEntity(true))
                    .directHandlers(directHandlers(cfg.maxBodyBytes()))
                    .routing(routing)
                    .build()
                    .start();
        } catch (RuntimeException e) {
            connections.close();
            throw e;
        }
        if (!server.isRunning()) { // Helidon logs the cause (e.g. BindException) and returns stopped
            connections.close();
            throw new IllegalStateException("cannot listen on " + cfg.host() + ":" + cfg.port()
                    + ": the port is in use or the address is not one of this machine's (see the log above)");
        }
        return new ApiServer(server, generations, cfg, connections, engine, warmup);
    }

    /** How often Helidon looks for idle connections: a quarter of the timeout, at most a second. */
    static Duration idleCheckPeriod(Duration timeout) {
        Duration quarter = timeout.dividedBy(4);
        return quarter.compareTo(Duration.ofSeconds(1)) < 0 ? quarter : Duration.ofSeconds(1);
    }

    /**
     * Errors Helidon answers before routing (malformed HTTP, long request lines, large headers
     * and bodies), in OpenAI's shape. Helidon says 400 for headers over the limit; it is 431 here.
     */
    private static DirectHandlers directHandlers(long maxBodyBytes) {
        DirectHandlers.Builder b = DirectHandlers.builder();
        for (DirectHandler.EventType type : DirectHandler.EventType.values()) {
            b.addHandler(type, (request, eventType, status, headers, message) -> {
                ApiException e = directError(status, message, maxBodyBytes);
                return DirectHandler.TransportResponse.builder()
                        .status(Status.create(e.status()))
                        .headers(headers)
                        .header(HeaderNames.CONTENT_TYPE, "application/json")
                        .entity(Json.bytes(OpenAiErrors.body(e)))
                        .keepAlive(eventType.keepAlive() && e.status() < 500)
                        .build();
            });
        }
        return b.build();
    }

    static ApiException directError(Status status, String message, long maxBodyBytes) {
        int code = status.code();
        if (code == 400 && message != null && message.startsWith("Header size exceeded")) {
            return new ApiException(431, ApiException.INVALID_REQUEST, null, "request_header_fields_too_large",
                    "The request headers are larger than this server's limit; send fewer or shorter headers.");
        }
        return switch (code) {
            case 413 -> OpenAiErrors.tooLarge(maxBodyBytes);
            case 414 -> new ApiException(414, ApiException.INVALID_REQUEST, null, "uri_too_long",
                    "The request line (method and URL) is longer than this server's limit; shorten the URL.");
            default -> {
                boolean internal = code >= 500;
                String text = internal || message == null || message.isBlank() || message.contains("see server log")
                        ? status.reasonPhrase() : message;
                yield new ApiException(code, internal ? ApiException.SERVER_ERROR : ApiException.INVALID_REQUEST, null, null, text);
            }
        };
    }

    /**
     * Warms the HTTP streaming path before {@code /health} says ok: once the engine is up,
     * streamed chat completions of {@code tokensPerRequest} tokens go to this server over
     * loopback, {@code streams} at a time, until about {@code chunks} chunks came back (see
     * {@link StreamingWarmup}). Requests from clients are served meanwhile. For an engine in this
     * process; a remote engine would spend its tokens on it.
     *
     * @return completes with the chunks the warm-up received, when it ended (a failure is logged, not thrown)
     */
    public CompletableFuture<Integer> warmUpStreaming(int streams, int tokensPerRequest, int chunks) {
        String host = cfg.host().equals("0.0.0.0") || cfg.host().equals("::") ? "127.0.0.1" : cfg.host();
        URI chat = URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port() + "/v1/chat/completions");
        StreamingWarmup w = new StreamingWarmup(engine, chat, cfg.apiKey(), streams, tokensPerRequest, chunks);
        if (!warmup.compareAndSet(null, w)) {
            throw new IllegalStateException("the server is already warming up or warm");
        }
        return w.start();
    }

    /** The bound port (the ephemeral one chosen when configured with 0). */
    public int port() {
        return server.port();
    }

    /** Client connections open now. */
    public int openConnections() {
        return connections.liveCount();
    }

    /** {@code http://host:port}, for printing and clients. */
    public String baseUrl() {
        String host = cfg.host().contains(":") ? "[" + cfg.host() + "]" : cfg.host();
        return "http://" + host + ":" + port();
    }

    /**
     * Stops: new generations are refused (503), running ones are cancelled and get up to
     * {@link ServerConfig#shutdownGrace()} to end (their clients get an error event), then the
     * listener closes. Does not close the engine. Idempotent.
     */
    @Override
    public void close() {
        if (!server.isRunning()) {
            return;
        }
        generations.cancelAll();
        try {
            if (!generations.awaitIdle(cfg.shutdownGrace())) {
                LOG.log(System.Logger.Level.WARNING, generations.runningCount() + " generation(s) did not end within "
                        + cfg.shutdownGrace() + " of being cancelled");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server.stop();
        connections.close();
    }
}
