package io.infernet.server;

import io.infernet.engines.ChatMessage;
import io.infernet.engines.Engine;
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
import io.infernet.runtime.text.StopStringFilter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A deterministic engine for HTTP tests. The text depends only on the request's seed and prompt
 * (so a streamed and a whole answer can be compared); it applies stop strings with
 * {@link StopStringFilter} as the in-process engine will. Knobs (set before a request) give
 * delays, a per-token gate, refusals, mid-stream errors, a bounded number of running
 * generations (OVERLOADED beyond it) and endless generations; a chat template of its own
 * ({@link #applyTemplate}); every request (generations and templates) is recorded and
 * every cancel observed. Decoding options (formats, log-probabilities, several choices) are
 * recorded and then refused as unsupported.
 */
final class FakeEngine implements Engine {

    static final String MODEL = "fake-model";
    static final String CHAT_ONLY_MODEL = "fake-chat-only";
    static final String KIND = "fake";

    /** Pieces the fake generates: JSON escapes, non-ASCII, an astral character, a newline. */
    static final List<String> VOCAB = List.of(" the", " quick", " brown", " fox", " jumps", ",", " over",
            " lazy", " dog", ".", " é", " 😀", "\n", " \"quoted\"", " \\", " END");

    volatile int scriptTokens = 12;
    volatile boolean endless;
    volatile long tokenDelayMillis;
    volatile Semaphore gate;
    volatile EngineException refuseWith;
    volatile RuntimeException crashWith;
    volatile int failAfterTokens = -1;
    volatile int maxRunning = Integer.MAX_VALUE;
    volatile Duration retryAfter = Duration.ofMillis(2500);
    volatile int contextLimit = 4096;
    volatile Health health = Health.up("fake engine ready", Duration.ZERO);
    volatile EngineStats stats = new EngineStats(2, 3, 1024, 8192, 5, 7, 4096);
    volatile List<ModelInfo> models = List.of(
            new ModelInfo(MODEL, KIND, 4096, true),
            new ModelInfo(CHAT_ONLY_MODEL, KIND, 4096, false));

    final List<GenerationRequest> requests = new CopyOnWriteArrayList<>();
    final BlockingQueue<GenerationRequest> cancelled = new LinkedBlockingQueue<>();
    final AtomicInteger running = new AtomicInteger();
    private final Set<FakeGeneration> live = ConcurrentHashMap.newKeySet();
    private final AtomicInteger threadIds = new AtomicInteger();
    private volatile boolean closed;

    /** From now on each token waits for a permit of the returned gate; a script of {@code tokens} tokens. */
    Semaphore gated(int tokens) {
        Semaphore g = new Semaphore(0);
        gate = g;
        scriptTokens = tokens;
        return g;
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Generation generate(GenerationRequest request, GenerationListener listener) {
        requests.add(request);
        if (!request.decoding().isDefault()) {
            // never silently ignored: the HTTP tests of these run on the in-process engine (InProcessApiTest)
            throw new EngineException(EngineException.Kind.UNSUPPORTED, "the fake engine writes plain text of one choice only", "n");
        }
        EngineException refuse = refuseWith;
        if (refuse != null) {
            throw refuse;
        }
        RuntimeException crash = crashWith;
        if (crash != null) {
            throw crash;
        }
        if (closed) {
            throw new EngineException(EngineException.Kind.UNAVAILABLE, "the fake engine is closed");
        }
        String model = known(request.model());
        int promptTokens = promptTokens(request);
        if (promptTokens > contextLimit) {
            throw new EngineException(EngineException.Kind.CONTEXT_LENGTH_EXCEEDED,
                    "This model's maximum context length is " + contextLimit + " tokens, but the prompt has " + promptTokens + ".");
        }
        if (running.incrementAndGet() > maxRunning) {
            running.decrementAndGet();
            throw new EngineException(EngineException.Kind.OVERLOADED, "the queue is full", null, retryAfter, null);
        }
        FakeGeneration g = new FakeGeneration(request, model, listener, promptTokens);
        live.add(g);
        Thread t = new Thread(g::run, "fake-engine-" + threadIds.incrementAndGet());
        t.setDaemon(true);
        t.start();
        return g;
    }

    /** The served model {@code requested} names (null: the default one). */
    private String known(String requested) {
        String model = requested == null ? MODEL : requested;
        if (models.stream().noneMatch(m -> m.id().equals(model))) {
            throw new EngineException(EngineException.Kind.MODEL_NOT_FOUND, "The model '" + model + "' does not exist.", "model");
        }
        return model;
    }

    /** A template of the fake's own: one {@code role: content} line per message, then {@code assistant:}; recorded as a request. */
    @Override
    public String applyTemplate(GenerationRequest chatRequest) {
        requests.add(chatRequest);
        known(chatRequest.model());
        StringBuilder prompt = new StringBuilder();
        for (ChatMessage m : chatRequest.messages()) {
            prompt.append(m.role()).append(": ").append(m.content()).append('\n');
        }
        return prompt.append("assistant:").toString();
    }

    /** One fake token per whitespace-separated word, plus 3 per chat message (a template's cost). */
    static int promptTokens(GenerationRequest r) {
        if (r.isChat()) {
            int n = 0;
            for (ChatMessage m : r.messages()) {
                n += 3 + words(m.content());
            }
            return n;
        }
        return words(r.prompt());
    }

    private static int words(String s) {
        String t = s.strip();
        return t.isEmpty() ? 0 : t.split("\\s+").length;
    }

    /** The pieces a request produces, before stop strings and max_tokens. */
    static List<String> script(GenerationRequest r, int n) {
        String prompt = r.isChat() ? r.messages().toString() : r.prompt();
        SplittableRandom rnd = new SplittableRandom(r.sampling().seed() * 31 + prompt.hashCode());
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(VOCAB.get(rnd.nextInt(VOCAB.size())));
        }
        return out;
    }

    @Override
    public io.infernet.engines.Embeddings embed(String model, List<String> inputs) {
        String m = known(model);
        ModelInfo info = models.stream().filter(x -> x.id().equals(m)).findFirst().orElseThrow();
        if (!info.embeddings()) {
            throw new EngineException(EngineException.Kind.UNSUPPORTED, "The model '" + m + "' cannot embed.", "model");
        }
        List<float[]> out = new ArrayList<>();
        for (String s : inputs) {
            out.add(vector(s));
        }
        return new io.infernet.engines.Embeddings(out, inputs.stream().mapToInt(s -> s.split(" ").length).sum());
    }

    static float[] vector(String s) {
        int h = s.hashCode();
        return new float[] {s.length(), (h & 0xFF) / 256f, ((h >> 8) & 0xFF) / -256f, 0.5f};
    }

    @Override
    public List<ModelInfo> models() {
        return models;
    }

    @Override
    public Health health() {
        return health;
    }

    @Override
    public java.util.Optional<EngineStats> stats() {
        return java.util.Optional.of(stats);
    }

    @Override
    public void close() {
        closed = true;
        for (FakeGeneration g : live) {
            g.cancelled.set(true);
        }
    }

    /** Waits for the next cancel observed by the engine; null if none came within {@code timeout}. */
    GenerationRequest awaitCancel(Duration timeout) throws InterruptedException {
        return cancelled.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    GenerationRequest lastRequest() {
        return requests.getLast();
    }

    final class FakeGeneration implements Generation {
        private final GenerationRequest request;
        private final String model;
        private final GenerationListener listener;
        private final int promptTokens;
        private final CompletableFuture<GenerationEvent> completion = new CompletableFuture<>();
        final AtomicBoolean cancelled = new AtomicBoolean();

        FakeGeneration(GenerationRequest request, String model, GenerationListener listener, int promptTokens) {
            this.request = request;
            this.model = model;
            this.listener = listener;
            this.promptTokens = promptTokens;
        }

        @Override
        public void cancel() {
            if (cancelled.compareAndSet(false, true)) {
                FakeEngine.this.cancelled.add(request);
            }
        }

        @Override
        public CompletableFuture<GenerationEvent> completion() {
            return completion;
        }

        void run() {
            try {
                generate();
            } catch (InterruptedException e) {
                end(new GenerationEvent.Done(FinishReason.CANCEL, "", new Usage(promptTokens, 0), Instant.now()));
            } finally {
                running.decrementAndGet();
                live.remove(this);
            }
        }

        private void generate() throws InterruptedException {
            emit(new GenerationEvent.Meta(KIND, model, Instant.now(), promptTokens));
            int length = endless ? Integer.MAX_VALUE : scriptTokens;
            List<String> pieces = script(request, Math.min(length, 4096));
            StopStringFilter stop = new StopStringFilter(request.stop());
            StringBuilder text = new StringBuilder();
            int generated = 0;
            while (true) {
                if (cancelled.get()) {
                    end(new GenerationEvent.Done(FinishReason.CANCEL, text.toString(), new Usage(promptTokens, generated), Instant.now()));
                    return;
                }
                FinishReason reason = generated >= length ? FinishReason.STOP
                        : generated >= request.maxTokens() ? FinishReason.LENGTH : null;
                if (reason != null) {
                    String held = stop.flush();
                    if (!held.isEmpty()) {
                        emit(new GenerationEvent.Token(held, -1));
                        text.append(held);
                    }
                    end(new GenerationEvent.Done(reason, text.toString(), new Usage(promptTokens, generated), Instant.now()));
                    return;
                }
                Semaphore g = gate;
                if (g != null) {
                    while (!g.tryAcquire(10, TimeUnit.MILLISECONDS)) {
                        if (cancelled.get()) {
                            break;
                        }
                    }
                    if (cancelled.get()) {
                        continue;
                    }
                }
                if (generated == failAfterTokens) {
                    end(new GenerationEvent.Error("the fake engine failed on purpose", Instant.now()));
                    return;
                }
                String piece = pieces.get(generated % pieces.size());
                generated++;
                String out = stop.push(piece);
                text.append(out);
                emit(new GenerationEvent.Token(out, VOCAB.indexOf(piece)));
                if (stop.stopped()) {
                    end(new GenerationEvent.Done(FinishReason.STOP, text.toString(), new Usage(promptTokens, generated), Instant.now()));
                    return;
                }
                long delay = tokenDelayMillis;
                if (delay > 0) {
                    Thread.sleep(delay);
                }
            }
        }

        private void emit(GenerationEvent e) {
            try {
                listener.onEvent(e);
            } catch (RuntimeException ex) {
                cancel(); // the listener contract: an exception cancels the generation
            }
        }

        private void end(GenerationEvent terminal) {
            emit(terminal);
            completion.complete(terminal);
        }
    }
}
