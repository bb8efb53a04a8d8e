package io.infernet.node.protocol.testing;

import io.infernet.engines.Engine;
import io.infernet.engines.EngineException;
import io.infernet.engines.FinishReason;
import io.infernet.engines.Generation;
import io.infernet.engines.GenerationEvent;
import io.infernet.engines.GenerationListener;
import io.infernet.engines.GenerationRequest;
import io.infernet.engines.Health;
import io.infernet.engines.ModelInfo;
import io.infernet.engines.Usage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A scripted engine for tests: every generation emits Meta, the configured tokens (one event
 * each, {@code tokenDelay} apart), then Done(STOP), Done(LENGTH) when max_tokens cuts it, or
 * Error when {@code failWith} is set. {@code hold} makes it wait after the tokens until
 * cancelled; {@code gate} holds the tokens back until opened. Events come from the
 * generation's own thread, like a real engine's.
 */
public final class FakeEngine implements Engine, io.infernet.engines.ModelSet {

    public volatile List<String> tokens = List.of("Hello", ",", " world", "!");
    public volatile Duration tokenDelay = Duration.ZERO;
    public volatile String failWith;
    public volatile EngineException refuseWith;
    public volatile boolean hold;
    /** When set, tokens wait for it to open (after Meta). */
    public volatile CountDownLatch gate;

    private final List<String> models;
    private final List<GenerationRequest> requests = new ArrayList<>();
    /** Files put in (as a node's model install does), by name. */
    public final java.util.Map<String, java.nio.file.Path> files = new java.util.concurrent.ConcurrentHashMap<>();

    public FakeEngine(String... models) {
        this.models = new java.util.concurrent.CopyOnWriteArrayList<>(models);
    }

    @Override
    public void put(String name, java.nio.file.Path file, boolean loadNow) {
        files.put(name, file);
        if (!models.contains(name)) {
            models.add(name);
        }
    }

    @Override
    public boolean remove(String name) {
        files.remove(name);
        return models.remove(name);
    }

    public synchronized List<GenerationRequest> requests() {
        return List.copyOf(requests);
    }

    @Override
    public String kind() {
        return "fake";
    }

    @Override
    public Generation generate(GenerationRequest request, GenerationListener listener) {
        synchronized (this) {
            requests.add(request);
        }
        if (refuseWith != null) {
            throw refuseWith;
        }
        String model = request.model() != null ? request.model() : models.getFirst();
        if (!models.contains(model)) {
            throw new EngineException(EngineException.Kind.MODEL_NOT_FOUND, "model '" + model + "' is not served here", "model");
        }
        FakeGeneration g = new FakeGeneration();
        List<String> script = tokens;
        Duration delay = tokenDelay;
        String fail = failWith;
        boolean holding = hold;
        CountDownLatch gateNow = gate;
        Thread.ofPlatform().daemon(true).name("fake-engine").start(() -> {
            Instant start = Instant.now();
            listener.onEvent(new GenerationEvent.Meta(kind(), model, start, 7));
            if (gateNow != null) {
                try {
                    gateNow.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            StringBuilder text = new StringBuilder();
            int n = 0;
            for (String t : script) {
                if (g.cancelled.getCount() == 0 || n >= request.maxTokens()) {
                    break;
                }
                pause(g, delay);
                listener.onEvent(new GenerationEvent.Token(t, 100 + n));
                text.append(t);
                n++;
            }
            if (holding) {
                try {
                    g.cancelled.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            GenerationEvent end;
            if (g.cancelled.getCount() == 0) {
                end = new GenerationEvent.Done(FinishReason.CANCEL, text.toString(), new Usage(7, n), Instant.now());
            } else if (fail != null) {
                end = new GenerationEvent.Error(fail, Instant.now());
            } else {
                FinishReason r = n >= request.maxTokens() && n < script.size() ? FinishReason.LENGTH : FinishReason.STOP;
                end = new GenerationEvent.Done(r, text.toString(), new Usage(7, n), Instant.now());
            }
            listener.onEvent(end);
            g.completion.complete(end);
        });
        return g;
    }

    private static void pause(FakeGeneration g, Duration d) {
        if (d.isZero()) {
            return;
        }
        try {
            g.cancelled.await(d.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public io.infernet.engines.Embeddings embed(String model, List<String> inputs) {
        if (inputs.stream().anyMatch(String::isEmpty)) {
            throw new EngineException(EngineException.Kind.UNSUPPORTED, "the fake engine embeds no empty text");
        }
        // a 2-vector per input: its length and its first character
        return new io.infernet.engines.Embeddings(inputs.stream().map(t -> new float[] {t.length(), t.charAt(0)}).toList(),
                inputs.stream().mapToInt(String::length).sum());
    }

    @Override
    public List<ModelInfo> models() {
        return models.stream().map(m -> new ModelInfo(m, kind(), 4096, false)).toList();
    }

    @Override
    public Health health() {
        return Health.up("fake", Duration.ZERO);
    }

    @Override
    public void close() {}

    private static final class FakeGeneration implements Generation {
        final CountDownLatch cancelled = new CountDownLatch(1);
        final CompletableFuture<GenerationEvent> completion = new CompletableFuture<>();

        @Override
        public void cancel() {
            cancelled.countDown();
        }

        @Override
        public CompletableFuture<GenerationEvent> completion() {
            return completion;
        }
    }
}
