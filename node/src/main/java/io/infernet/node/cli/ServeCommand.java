package io.infernet.node.cli;

import io.infernet.engines.Engine;
import io.infernet.engines.ModelInfo;
import io.infernet.engines.inprocess.InProcessEngine;
import io.infernet.engines.inprocess.InProcessOptions;
import io.infernet.server.ApiServer;
import io.infernet.server.EdgeConfig;
import io.infernet.server.ServerConfig;
import java.io.PrintStream;
import java.nio.file.Files;
import io.infernet.node.protocol.models.ModelStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import io.infernet.engines.select.EngineSelector;
import io.infernet.engines.select.EngineSetting;
import io.infernet.engines.select.Selection;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code infernet serve}: the OpenAI-compatible API over the engine the options select (in
 * process by default), until SIGINT/SIGTERM; then it stops taking requests, cancels the running
 * generations and closes the engine.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve a model over the OpenAI-compatible HTTP API (/v1/chat/completions, /v1/completions, /v1/embeddings, /v1/models, /health, /metrics).",
        footer = {"",
                "Limits: a body up to 16 MiB, a chat or completion body up to 64 bytes per token of the served context (413), only "
                        + "application/json bodies (415), JSON at most 64 levels deep; a request line up to 8 KiB (414), headers up to "
                        + "16 KiB (431).",
                "Deadlines: a request's line and headers within 10 s of their first byte (408), its body at 64 KiB/s or faster after "
                        + "its first 10 s; a kept-alive connection idle for 30 s is closed.",
                "HTTP/1.0 clients (nginx's default proxy_pass) get HTTP/1.0 answers, streams included, ended by closing the connection."})
public final class ServeCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "PATH", description = "GGUF model file to serve; repeat it to serve several (the first is the default). "
            + "Each is served as its file name without .gguf.")
    List<Path> models = new ArrayList<>();

    @Option(names = "--models-dir", paramLabel = "DIR",
            description = "Serve every .gguf model in DIR too (under the names 'infernet model install' recorded there, else their file names).")
    Path modelsDir;

    @Option(names = "--host", paramLabel = "HOST", defaultValue = ServerConfig.DEFAULT_HOST,
            description = "Interface to listen on (default ${DEFAULT-VALUE}; 0.0.0.0 for all).")
    String host;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080", description = "TCP port (default ${DEFAULT-VALUE}; 0 = any free one).")
    int port;

    @Mixin
    InProcessEngineOptions engine = new InProcessEngineOptions();

    @Option(names = "--default-max-tokens", paramLabel = "N", defaultValue = "0",
            description = "max_tokens for requests that set none (default 0 = until the model stops or the context is full).")
    int defaultMaxTokens;

    @Option(names = "--api-key", paramLabel = "KEY", defaultValue = "${env:INFERNET_API_KEY}",
            description = "Require 'Authorization: Bearer KEY' on every route but /health. Also read from INFERNET_API_KEY, which keeps it out of the process list.")
    String apiKey;

    @Option(names = "--cors-origin", paramLabel = "ORIGIN",
            description = "Let web pages of ORIGIN (e.g. http://localhost:3000) call the API from a browser; repeatable, * for any. "
                    + "Default none: a request from another site's page is refused (403).")
    List<String> corsOrigins = new ArrayList<>();

    @Option(names = "--model-alias", paramLabel = "NAME", split = ",",
            description = "Another name for the served model, listed by /v1/models and reported back to clients that use it; "
                    + "repeatable or comma-separated (e.g. gpt-4o).")
    List<String> modelAliases = new ArrayList<>();

    @Option(names = "--accept-any-model",
            description = "Answer requests for any model name with the served model (for tools that hard-code names such as gpt-4o); "
                    + "the answer reports the name asked for.")
    boolean acceptAnyModel;

    @Option(names = "--engine", paramLabel = "KIND", defaultValue = "${env:INFERNET_ENGINE}",
            description = "in-process, vllm, llamacpp or ollama. Default: in-process when --model is given; otherwise the first that answers of "
                    + "vLLM (VLLM_HOST, :8000), a llama.cpp server (LLAMACPP_HOST, :8080), Ollama (OLLAMA_HOST, :11434), then in-process with the demo model.")
    String engineKind;

    @Option(names = "--engine-url", paramLabel = "URL", description = "Where the --engine server listens (default: its environment variable or port).")
    String engineUrl;

    /** Opens the in-process engine; tests put their own here. */
    Function<InProcessOptions, Engine> inProcess = InProcessEngine::open;

    /**
     * A started server and its engine; closing stops the server, then closes the engine.
     *
     * @param warm completes when the server's HTTP streaming warm-up ended (at once where there is none)
     */
    record Running(ApiServer server, Engine engine, java.util.concurrent.CompletableFuture<Integer> warm) implements AutoCloseable {
        @Override
        public void close() {
            try {
                server.close();
            } finally {
                engine.close();
            }
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        Running running = start(System.out);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("infernet: shutting down (cancelling running generations)");
            try {
                running.close();
            } finally {
                stopped.countDown();
            }
        }, "infernet-serve-shutdown"));
        stopped.await(); // returns at JVM shutdown, once the hook has closed everything
        return 0;
    }

    static String describe(List<Path> files, List<ModelStore.Entry> stored) {
        List<String> all = new ArrayList<>(files.stream().map(Path::toString).toList());
        stored.forEach(e -> all.add(e.name()));
        return String.join(", ", all);
    }

    /** Validates the options, opens the engine and starts serving; prints the URL to {@code out}. */
    Running start(PrintStream out) {
        ServerConfig cfg;
        EdgeConfig edge;
        try {
            cfg = ServerConfig.defaults().withHost(host).withPort(port).withApiKey(apiKey == null || apiKey.isEmpty() ? null : apiKey)
                    .withDefaultMaxTokens(defaultMaxTokens);
            edge = EdgeConfig.defaults().withCorsOrigins(corsOrigins).withModelAliases(modelAliases, acceptAnyModel);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageError(e.getMessage());
        }
        InProcessOptions options = engine.toOptions(null);
        for (Path model : models) {
            if (!Files.isReadable(model)) {
                throw new Main.UsageError("--model " + model + ": no readable file there");
            }
        }
        if (modelsDir != null && !Files.isDirectory(modelsDir)) {
            throw new Main.UsageError("--models-dir " + modelsDir + ": no such directory");
        }
        List<ModelStore.Entry> stored = modelsDir == null ? List.of() : new ModelStore(modelsDir).entries();
        boolean given = !models.isEmpty() || !stored.isEmpty();
        long budget = engine.modelsMemoryBytes();
        EngineSetting setting;
        try {
            String kind = engineKind != null && !engineKind.isBlank() ? engineKind : (given ? "in-process" : null);
            setting = EngineSetting.parse(kind, engineUrl, null, null);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageError(e.getMessage());
        }
        Selection selection = EngineSelector.system(Set.of(port)).select(setting, () -> InProcessModels.open(models, stored, options, inProcess, budget),
                given ? "in process, " + describe(models, stored) : "in process, the built-in demo model (random weights)");
        for (String line : EnginesCommand.text(selection.report())) {
            System.err.println("[infernet] " + line);
        }
        Engine engine = selection.engine();
        ApiServer server;
        try {
            server = ApiServer.start(engine, cfg, edge);
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
        String models;
        try {
            models = engine.models().stream().map(ModelInfo::id).collect(Collectors.joining(", "));
        } catch (RuntimeException e) {
            models = "";
        }
        out.println("infernet: serving " + (models.isEmpty() ? "(no model listed yet)" : models) + " with the "
                + engine.kind() + " engine at " + server.baseUrl() + "/v1"
                + (cfg.apiKey() != null ? " (API key required)" : ""));
        out.flush();
        // A fresh server's first streamed answer had its first token 35-40 ms later than the next
        // ones (the HTTP path's first run); health says ok once a short warm-up went through it.
        java.util.concurrent.CompletableFuture<Integer> warm = "in-process".equals(engine.kind())
                ? server.warmUpStreaming(Math.max(1, Math.min(8, options.parallel())), 16, 128)
                : java.util.concurrent.CompletableFuture.completedFuture(0);
        return new Running(server, engine, warm);
    }
}
