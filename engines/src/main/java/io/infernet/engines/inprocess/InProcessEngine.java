package io.infernet.engines.inprocess;

import io.infernet.chat.parse.OutputFormat;
import io.infernet.engines.DecodingOptions;
import io.infernet.engines.DecodingOptions.ToolCallConstraint;
import io.infernet.engines.Engine;
import io.infernet.engines.Embeddings;
import io.infernet.engines.EngineStats;
import io.infernet.engines.EngineException;
import io.infernet.engines.Generation;
import io.infernet.engines.GenerationEvent;
import io.infernet.engines.GenerationListener;
import io.infernet.engines.GenerationRequest;
import io.infernet.engines.Health;
import io.infernet.engines.ModelInfo;
import io.infernet.kernels.SamplingParams;
import io.infernet.natives.Progress;
import io.infernet.runtime.CpuTopology;
import io.infernet.runtime.JavaSampler;
import io.infernet.runtime.gguf.DemoModel;
import io.infernet.runtime.ContextOverflowException;
import io.infernet.runtime.Embedder;
import io.infernet.runtime.Model;
import io.infernet.runtime.ModelProbe;
import io.infernet.runtime.Warmup;
import io.infernet.runtime.TokenSampler;
import io.infernet.runtime.Vocab;
import io.infernet.runtime.serve.Decoding;
import io.infernet.runtime.serve.OutputConstraint;
import io.infernet.runtime.serve.ServeConfig;
import io.infernet.runtime.serve.ServeRequest;
import io.infernet.runtime.serve.ServeStats;
import io.infernet.runtime.serve.ServingEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
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
    private final ChatFormat chatFormat;
    private final Constraints constraints;
    /** Each token's text for log-probabilities (special tokens as their text); made on first use. */
    private volatile byte[][] tokenBytes;
    /** Null once warm; else why it is not yet (see {@link #warmUp}). Engines built directly are warm at once. */
    private volatile String warming;
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
        this(model, name, config, samplers, null);
    }

    /**
     * As above, rendering chats with {@code chatTemplate} (Jinja source; null for the model's own).
     *
     * @throws IllegalArgumentException when {@code chatTemplate} does not parse
     */
    public InProcessEngine(Model model, String name, ServeConfig config, BiFunction<SamplingParams, Integer, TokenSampler> samplers,
                           String chatTemplate) {
        this.model = model;
        this.name = name == null || name.isBlank() ? model.name() : name;
        this.chatFormat = ChatFormat.of(model, chatTemplate);
        this.serving = new ServingEngine(model, config, samplers);
        this.constraints = new Constraints(shown -> serving.callNative(() -> model.vocab().grammarVocabulary(shown)));
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
        String template = null;
        if (o.chatTemplate() != null) {
            try {
                template = Files.readString(o.chatTemplate());
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("cannot read the --chat-template file " + o.chatTemplate() + ": " + e.getMessage(), e);
            }
        }
        // The Java sampler compiles while the model loads (a fresh JVM would otherwise pay for it in its first requests).
        Warmup sampler = Warmup.once();
        Model m = Model.load(file);
        try {
            int perSequence = o.maxSequenceTokens() > 0 ? o.maxSequenceTokens()
                    : Math.min(InProcessOptions.DEFAULT_MAX_SEQUENCE_TOKENS, Math.max(256, m.contextLengthTrained()));
            long cells = Math.min((long) perSequence * o.parallel(), 1L << 20);
            ServeConfig cfg = new ServeConfig(o.parallel(), (int) cells, perSequence, 512,
                    o.threads() > 0 ? o.threads() : CpuTopology.physicalCores(), o.cacheRamBytes(), o.maxQueue(), o.unifiedKv());
            InProcessEngine engine = new InProcessEngine(m, o.model() == null ? DEMO_NAME : null, cfg, JavaSampler::new, template);
            engine.warmUp(sampler);
            return engine;
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /**
     * Warms the serving path before health says up: once the sampler's warm-up ends, two short
     * generations (greedy, and sampled as clients sample) run through this engine, so the engine
     * loop, the decode calls and the output stage are compiled too. Requests that arrive meanwhile
     * are served; {@link #health()} reports the warm-up until it ends.
     */
    void warmUp(Warmup sampler) {
        warming = "warming up: compiling the sampler and the serving loop";
        Thread.ofVirtual().name("infernet-warmup-engine").start(() -> {
            try {
                sampler.await(Duration.ofSeconds(30));
                SamplingParams sampled = SamplingParams.greedy().withTemperature(0.8f).withTopP(0.95f).withSeed(1);
                for (SamplingParams p : List.of(SamplingParams.greedy(), sampled)) {
                    Generation g = generate(GenerationRequest.completion(null, "Warming up", p, 24), e -> {});
                    g.completion().get(60, java.util.concurrent.TimeUnit.SECONDS);
                }
            } catch (Exception e) {
                System.getLogger(InProcessEngine.class.getName()).log(System.Logger.Level.WARNING,
                        "the serving warm-up failed (the first requests will be slower): " + e);
            } finally {
                warming = null;
            }
        });
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

    /** The output constraints of this engine's requests (its grammar cache). */
    Constraints constraints() {
        return constraints;
    }

    /** Counters of the serving engine (queue, slots, KV cache, prompt cache). */
    public ServeStats serveStats() {
        return serving.stats();
    }

    @Override
    public Optional<EngineStats> stats() {
        ServeStats s = serving.stats();
        return Optional.of(new EngineStats(s.queued(), s.running(), s.kvCellsUsed(), s.kvCells(), s.cacheHits(), s.cacheMisses(),
                s.hostCache().bytesHeld(), s.kvCellsActive()));
    }

    @Override
    public Generation generate(GenerationRequest request, GenerationListener listener) {
        checkModel(request.model());
        Prepared prepared;
        try {
            // on a platform thread: llama.cpp's own template formatter and the tokenizer are native calls
            prepared = serving.callNative(() -> {
                ChatFormat.Prompt p = request.isChat() ? renderChat(request) : null;
                return new Prepared(p, tokenize(request, p));
            });
        } catch (ServingEngine.EngineStoppedException e) {
            throw new EngineException(EngineException.Kind.UNAVAILABLE, e.getMessage());
        }
        ChatFormat.Prompt chat = prepared.chat();
        int[] prompt = prepared.tokens();
        OutputFormat format = chat != null ? chat.format() : chatFormat.format();
        BitSet shown = chat == null ? null : chat.shownControl();
        DecodingOptions d = withToolCalls(request, format);
        OutputConstraint constraint;
        byte[][] texts;
        try {
            // off the engine thread: grammars compile here (the vocabulary is read on a platform thread)
            constraint = constraints.of(d, format.callSyntax(), shown);
            texts = d.logprobs() ? tokenBytes() : null;
        } catch (ServingEngine.EngineStoppedException e) {
            throw new EngineException(EngineException.Kind.UNAVAILABLE, e.getMessage());
        }
        Decoding decoding = new Decoding(d.n(), d.logprobs() ? d.topLogprobs() : Decoding.NO_LOGPROBS, constraint);
        Choices choices = new Choices(KIND, name, d.n(), listener, chat == null ? null : () -> chatFormat.parser(chat, request.chat()), texts);
        ServingEngine.Handle handle;
        try {
            handle = serving.submit(new ServeRequest(prompt, request.sampling(), request.maxTokens(), request.stop(), decoding, shown),
                    choices::listener);
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
        choices.submitted(handle);
        return new Generation() {
            @Override
            public void cancel() {
                handle.cancel();
            }

            @Override
            public CompletableFuture<GenerationEvent> completion() {
                return choices.done;
            }
        };
    }

    /**
     * The request's decoding options with the tool-call constraint its chat options imply: when the
     * chat offers tools and does not say {@code tool_choice: "none"}, {@code required} and a named
     * function constrain from the first token, {@code auto} lazily from the call syntax's trigger
     * words; otherwise the decoding options' own constraint (a caller that parses the output itself).
     *
     * @throws EngineException INVALID_REQUEST naming {@code tool_choice} when calls must be constrained but the
     *                         model's format has no call syntax we parse
     */
    private static DecodingOptions withToolCalls(GenerationRequest request, OutputFormat format) {
        DecodingOptions d = request.decoding();
        if (request.chat().parseToolCalls()) {
            d = d.withToolCalls(ToolCallConstraint.of(request.chat()));
        }
        ToolCallConstraint c = d.toolCalls();
        if (c != null && format.callSyntax() == null) {
            if (c.mode() != ToolCallConstraint.Mode.AUTO) {
                throw new EngineException(EngineException.Kind.INVALID_REQUEST, "this model's chat format (" + format.toolFormat()
                        + ") has no tool-call syntax that is parsed, so tool_choice cannot force a call; use tool_choice \"auto\"", "tool_choice");
            }
            d = d.withToolCalls(null); // auto: calls stay content, as the parser leaves them
        }
        return d;
    }

    /** Each token's bytes for log-probabilities (special tokens as their text), made once on a platform thread. */
    private byte[][] tokenBytes() {
        byte[][] t = tokenBytes;
        if (t == null) {
            t = serving.callNative(() -> {
                Vocab v = model.vocab();
                byte[][] all = new byte[v.size()][];
                for (int i = 0; i < all.length; i++) {
                    all[i] = v.pieceBytes(i, true);
                }
                return all;
            });
            tokenBytes = t;
        }
        return t;
    }

    /** A request's prompt: the rendered chat (null for a raw prompt) and its tokens. */
    private record Prepared(ChatFormat.Prompt chat, int[] tokens) {}

    /** A chat's prompt through the model's template (pure Java for a Jinja template, native for llama.cpp's formats). */
    private ChatFormat.Prompt renderChat(GenerationRequest request) {
        if (request.messages().isEmpty()) {
            throw new EngineException(EngineException.Kind.INVALID_REQUEST, "messages must not be empty", "messages");
        }
        return chatFormat.render(request);
    }

    /**
     * The prompt's tokens: a chat's rendered prompt with special-token text parsed only where the
     * template wrote it, or the raw prompt with special-token text parsed everywhere (its author
     * writes it on purpose).
     */
    int[] tokenize(GenerationRequest request, ChatFormat.Prompt chat) {
        int[] tokens = chat != null ? chatFormat.tokenize(chat) : model.vocab().tokenize(request.prompt(), true, true);
        if (tokens.length == 0) {
            throw new EngineException(EngineException.Kind.INVALID_REQUEST, "the prompt is empty", request.isChat() ? "messages" : "prompt");
        }
        return tokens;
    }

    @Override
    public String applyTemplate(GenerationRequest chatRequest) {
        checkModel(chatRequest.model());
        try {
            return serving.callNative(() -> renderChat(chatRequest)).text().text();
        } catch (ServingEngine.EngineStoppedException e) {
            throw new EngineException(EngineException.Kind.UNAVAILABLE, e.getMessage());
        }
    }

    /** The output format detected from the model's chat template (content only without one). */
    public OutputFormat outputFormat() {
        return chatFormat.format();
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
        String w = warming;
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        if (up && w != null) {
            return Health.down(w, took);
        }
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
