package io.infernet.engines.inprocess;

import io.infernet.engines.ChatMessage;
import io.infernet.engines.Engine;
import io.infernet.engines.Embeddings;
import io.infernet.engines.EngineStats;
import io.infernet.engines.EngineException;
import io.infernet.engines.FinishReason;
import io.infernet.engines.Generation;
import io.infernet.engines.GenerationEvent;
import io.infernet.engines.GenerationListener;
import io.infernet.engines.GenerationRequest;
import io.infernet.engines.Health;
import io.infernet.engines.ModelInfo;
import io.infernet.engines.Usage;
import io.infernet.kernels.SamplingParams;
import io.infernet.natives.Progress;
import io.infernet.runtime.ChatTemplate;
import io.infernet.runtime.CpuTopology;
import io.infernet.runtime.JavaSampler;
import io.infernet.runtime.gguf.DemoModel;
import io.infernet.runtime.ContextOverflowException;
import io.infernet.runtime.Embedder;
import io.infernet.runtime.LlamaException;
import io.infernet.runtime.Model;
import io.infernet.runtime.ModelProbe;
import io.infernet.runtime.TokenSampler;
import io.infernet.runtime.serve.Finish;
import io.infernet.runtime.serve.SequenceFailure;
import io.infernet.runtime.serve.SequenceListener;
import io.infernet.runtime.serve.ServeConfig;
import io.infernet.runtime.serve.ServeRequest;
import io.infernet.runtime.serve.ServeStats;
import io.infernet.runtime.serve.ServingEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiFunction;

/**
 * The default engine: llama.cpp in this process, with continuous batching and the KV cache
 * managed from Java ({@link ServingEngine}). Serves one model under one name.
 */
public final class InProcessEngine implements Engine {
    public static final String KIND = "in-process";

    /** The name the built-in demo model is served under. */
    public static final String DEMO_NAME = "infernet-demo";

    private final Model model;
    private final String name;
    private final ServingEngine serving;
    private final ChatTemplate template;
    private ExecutorService embedThread;
    private boolean closed; // guarded by this
    private Embedder embedder;

    /**
     * Starts serving {@code model} (which this engine then owns and closes).
     *
     * @param name     the model name clients use; null means the file name
     * @param samplers the sampler for each request (the Java sampler by default)
     */
    public InProcessEngine(Model model, String name, ServeConfig config, BiFunction<SamplingParams, Integer, TokenSampler> samplers) {
        this.model = model;
        this.name = name == null || name.isBlank() ? model.name() : name;
        this.template = ChatTemplate.of(model);
        this.serving = new ServingEngine(model, config, samplers);
    }

    /**
     * Loads the model the options name (the demo model when none, saying plainly that its
     * weights are random) and starts serving it with the Java sampler. A model file is first
     * checked by {@link ModelProbe} (the Java checks, then a child process unless its verdict is cached).
     *
     * @throws IllegalArgumentException when the model file is missing
     */
    public static InProcessEngine open(InProcessOptions o) {
        Path file = o.model();
        if (file == null) {
            file = DemoModel.ensure(Progress.STDERR);
            System.err.println("[infernet] no model given: serving the built-in demo model " + file.getFileName()
                    + " (RANDOM weights: its output is gibberish; pass --model PATH to serve a real GGUF model)");
        } else if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("model file not found: " + file);
        } else {
            // A file llama.cpp would abort on must never reach this process (the demo model is ours).
            ModelProbe.standard().require(file, line -> System.err.println("[infernet] " + line));
        }
        Model m = Model.load(file);
        try {
            int perSequence = o.maxSequenceTokens() > 0 ? o.maxSequenceTokens()
                    : Math.min(InProcessOptions.DEFAULT_MAX_SEQUENCE_TOKENS, Math.max(256, m.contextLengthTrained()));
            long cells = Math.min((long) perSequence * o.parallel(), 1L << 20);
            ServeConfig cfg = new ServeConfig(o.parallel(), (int) cells, perSequence, 512,
                    o.threads() > 0 ? o.threads() : CpuTopology.physicalCores(), o.cacheRamBytes(), o.maxQueue(), o.unifiedKv());
            return new InProcessEngine(m, o.model() == null ? DEMO_NAME : null, cfg, JavaSampler::new);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    @Override
    public String kind() {
        return KIND;
    }

    public String modelName() {
        return name;
    }

    public ServingEngine serving() {
        return serving;
    }

    /** Counters of the serving engine (queue, slots, KV cache, prompt cache). */
    public ServeStats serveStats() {
        return serving.stats();
    }

    @Override
    public Optional<EngineStats> stats() {
        ServeStats s = serving.stats();
        return Optional.of(new EngineStats(s.queued(), s.running(), s.kvCellsUsed(), s.kvCells(), s.cacheHits(), s.cacheMisses(),
                s.hostCache().bytesUsed(), s.kvCellsActive()));
    }

    @Override
    public Generation generate(GenerationRequest request, GenerationListener listener) {
        checkModel(request.model());
        int[] prompt;
        try {
            prompt = serving.callNative(() -> tokenize(request));
        } catch (ServingEngine.EngineStoppedException e) {
            throw new EngineException(EngineException.Kind.UNAVAILABLE, e.getMessage());
        }
        CompletableFuture<GenerationEvent> done = new CompletableFuture<>();
        Instant started = Instant.now();
        SequenceListener adapter = new SequenceListener() {
            @Override
            public void onStart(int promptTokens, int reusedTokens) {
                listener.onEvent(new GenerationEvent.Meta(KIND, name, started, promptTokens));
            }

            @Override
            public void onText(String text, int token) {
                // One event per sampled token, with empty text while text is held back (an
                // incomplete character, a possible stop string): consumers count tokens by events.
                listener.onEvent(new GenerationEvent.Token(text, token));
            }

            @Override
            public void onFinish(Finish finish, String text, int promptTokens, int completionTokens) {
                FinishReason reason = switch (finish) {
                    case STOP -> FinishReason.STOP;
                    case LENGTH -> FinishReason.LENGTH;
                    case CANCEL -> FinishReason.CANCEL;
                };
                GenerationEvent.Done d = new GenerationEvent.Done(reason, text, new Usage(promptTokens, completionTokens), Instant.now());
                try {
                    listener.onEvent(d);
                } finally {
                    done.complete(d);
                }
            }

            @Override
            public void onFailure(SequenceFailure failure) {
                EngineException.Kind kind = switch (failure.cause()) {
                    case REQUEST -> EngineException.Kind.INVALID_REQUEST;
                    case INTERNAL -> EngineException.Kind.INTERNAL;
                    case UNAVAILABLE -> EngineException.Kind.UNAVAILABLE;
                };
                end(new GenerationEvent.Error(failure.message(), Instant.now(), kind, failure.param()));
            }

            @Override
            public void onError(String message) {
                end(new GenerationEvent.Error(message, Instant.now()));
            }

            private void end(GenerationEvent.Error e) {
                try {
                    listener.onEvent(e);
                } finally {
                    done.complete(e);
                }
            }
        };
        ServingEngine.Handle handle;
        try {
            handle = serving.submit(new ServeRequest(prompt, request.sampling(), request.maxTokens(), request.stop()), adapter);
        } catch (ContextOverflowException e) {
            throw new EngineException(EngineException.Kind.CONTEXT_LENGTH_EXCEEDED,
                    "This model's maximum context length is " + e.maxSequenceTokens() + " tokens. However, your request has "
                            + e.promptTokens() + " prompt tokens (and at least one more is needed to generate). Shorten the prompt.",
                    request.isChat() ? "messages" : "prompt");
        } catch (ServingEngine.QueueFullException e) {
            throw new EngineException(EngineException.Kind.OVERLOADED, e.getMessage(), null, e.retryAfter(), e);
        } catch (ServingEngine.EngineStoppedException e) {
            throw new EngineException(EngineException.Kind.UNAVAILABLE, e.getMessage());
        } catch (ServingEngine.InvalidRequestException e) {
            throw new EngineException(EngineException.Kind.INVALID_REQUEST, e.getMessage(), e.param());
        } catch (IllegalArgumentException e) {
            throw new EngineException(EngineException.Kind.INVALID_REQUEST, e.getMessage());
        }
        return new Generation() {
            @Override
            public void cancel() {
                handle.cancel();
            }

            @Override
            public CompletableFuture<GenerationEvent> completion() {
                return done;
            }
        };
    }

    /** The prompt's tokens: chat messages through the model's template, or the raw prompt. */
    int[] tokenize(GenerationRequest request) {
        String text;
        if (request.isChat()) {
            if (request.messages().isEmpty()) {
                throw new EngineException(EngineException.Kind.INVALID_REQUEST, "messages must not be empty", "messages");
            }
            List<ChatTemplate.Message> msgs = new ArrayList<>();
            for (ChatMessage m : request.messages()) {
                msgs.add(new ChatTemplate.Message(m.role(), m.content()));
            }
            try {
                text = template.apply(msgs, true);
            } catch (LlamaException e) {
                throw new EngineException(EngineException.Kind.INVALID_REQUEST, e.getMessage(), "messages");
            }
        } else {
            text = request.prompt();
        }
        int[] tokens = model.vocab().tokenize(text, true, true);
        if (tokens.length == 0) {
            throw new EngineException(EngineException.Kind.INVALID_REQUEST, "the prompt is empty", request.isChat() ? "messages" : "prompt");
        }
        return tokens;
    }

    private void checkModel(String requested) {
        if (requested != null && !requested.isBlank() && !requested.equals(name)) {
            throw new EngineException(EngineException.Kind.MODEL_NOT_FOUND,
                    "The model '" + requested + "' does not exist here; this node serves '" + name + "'", "model");
        }
    }

    /**
     * Embeddings on a context of their own, on one platform thread (native calls never run on
     * the caller's virtual thread), one input after another.
     */
    @Override
    public Embeddings embed(String modelName, List<String> inputs) {
        checkModel(modelName);
        if (!model.hasPooling()) {
            throw new EngineException(EngineException.Kind.UNSUPPORTED,
                    "the model '" + name + "' has no pooling layer, so it does not produce embeddings; serve an embedding model for /v1/embeddings", "model");
        }
        Future<Embeddings> f = embedThread().submit(() -> {
            Embedder e = embedder();
            List<float[]> out = new ArrayList<>();
            int tokens = 0;
            for (int i = 0; i < inputs.size(); i++) {
                int[] ids = model.vocab().tokenize(inputs.get(i), true, false);
                if (ids.length > e.maxTokens()) {
                    throw new EngineException(EngineException.Kind.CONTEXT_LENGTH_EXCEEDED, "input " + i + " has " + ids.length
                            + " tokens but this model embeds at most " + e.maxTokens() + "; shorten it", "input");
                }
                tokens += ids.length;
                out.add(e.embed(ids));
            }
            return new Embeddings(out, tokens);
        });
        try {
            return f.get();
        } catch (InterruptedException ie) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new EngineException(EngineException.Kind.UNAVAILABLE, "interrupted while embedding");
        } catch (java.util.concurrent.CancellationException ce) {
            throw new EngineException(EngineException.Kind.UNAVAILABLE, "the engine is shutting down");
        } catch (ExecutionException ee) {
            if (ee.getCause() instanceof EngineException ex) {
                throw ex;
            }
            throw new EngineException(EngineException.Kind.INTERNAL, "embedding failed: " + ee.getCause().getMessage(), null, null, ee.getCause());
        }
    }

    private synchronized ExecutorService embedThread() {
        if (closed) {
            throw new EngineException(EngineException.Kind.UNAVAILABLE, "the engine is shutting down");
        }
        if (embedThread == null) {
            embedThread = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("infernet-embed").daemon(true).factory());
        }
        return embedThread;
    }

    /** Made on first use, on the embedding thread. */
    private Embedder embedder() {
        if (embedder == null) {
            embedder = new Embedder(model, Math.min(serving.maxSequenceTokens(), 4096), serving.config().threads());
        }
        return embedder;
    }

    @Override
    public List<ModelInfo> models() {
        return List.of(new ModelInfo(name, KIND, serving.maxSequenceTokens(), model.hasPooling()));
    }

    @Override
    public Health health() {
        long t0 = System.nanoTime();
        boolean up = serving.healthy();
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        return up ? Health.up("serving " + name + " in process", took)
                : Health.down(String.valueOf(serving.brokenReason()), took);
    }

    @Override
    public void close() {
        serving.close();
        ExecutorService t;
        synchronized (this) {
            closed = true;
            t = embedThread;
        }
        if (t != null) {
            try {
                t.submit(() -> {
                    if (embedder != null) {
                        embedder.close();
                    }
                }).get();
            } catch (InterruptedException | ExecutionException ignored) {
                // closing anyway
            }
            for (Runnable never : t.shutdownNow()) {
                if (never instanceof Future<?> f) {
                    f.cancel(false); // its caller gets UNAVAILABLE
                }
            }
        }
        model.close();
    }
}
