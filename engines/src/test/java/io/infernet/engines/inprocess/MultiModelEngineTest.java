package io.infernet.engines.inprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.infernet.engines.ChatMessage;
import io.infernet.engines.Embeddings;
import io.infernet.engines.Engine;
import io.infernet.engines.EngineException;
import io.infernet.engines.EngineStats;
import io.infernet.engines.FinishReason;
import io.infernet.engines.Generation;
import io.infernet.engines.GenerationEvent;
import io.infernet.engines.GenerationListener;
import io.infernet.engines.GenerationRequest;
import io.infernet.engines.Health;
import io.infernet.engines.ModelInfo;
import io.infernet.engines.Usage;
import io.infernet.kernels.SamplingParams;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Several models in one process within a memory budget, loaded on demand and unloaded least
 * recently used first, as Ollama does: with exact budgets and sizes, the exact loads, unloads
 * and refusals. The models are stub engines; the multi-model engine never looks inside them.
 */
class MultiModelEngineTest {

    /** A loaded stub: answers each generation with meta and done at once, unless held. */
    static final class Stub implements Engine {
        final String name;
        volatile boolean closed;
        volatile boolean hold;
        final List<GenerationListener> held = new CopyOnWriteArrayList<>();

        Stub(String name) {
            this.name = name;
        }

        @Override
        public String kind() {
            return "in-process";
        }

        @Override
        public Generation generate(GenerationRequest request, GenerationListener listener) {
            if (request.model() != null) {
                throw new IllegalStateException("the inner engine is asked for its default model");
            }
            listener.onEvent(new GenerationEvent.Meta("in-process", name + ".file", Instant.now(), 3));
            if (hold) {
                held.add(listener);
            } else {
                finish(listener);
            }
            CompletableFuture<GenerationEvent> done = new CompletableFuture<>();
            return new Generation() {
                @Override
                public void cancel() {
                }

                @Override
                public CompletableFuture<GenerationEvent> completion() {
                    return done;
                }
            };
        }

        void finish(GenerationListener l) {
            l.onEvent(new GenerationEvent.Done(FinishReason.STOP, "ok from " + name, new Usage(3, 1), Instant.now()));
        }

        void releaseHeld() {
            held.forEach(this::finish);
            held.clear();
        }

        @Override
        public Embeddings embed(String model, List<String> inputs) {
            return new Embeddings(inputs.stream().map(i -> new float[] {i.length()}).toList(), 1);
        }

        @Override
        public List<ModelInfo> models() {
            return List.of(new ModelInfo(name + ".file", "in-process", 2048, name.startsWith("embed")));
        }

        @Override
        public Health health() {
            return Health.up("stub", Duration.ZERO);
        }

        /** Each stub: 100 of 1000 cells used, 40 of them by running sequences (the rest idle prefixes). */
        @Override
        public java.util.Optional<EngineStats> stats() {
            return java.util.Optional.of(new EngineStats(1, 2, 100, 1000, 3, 4, 500, 40));
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private final List<String> loads = new CopyOnWriteArrayList<>();
    private final Map<String, Stub> stubs = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Long> sizes = Map.of("a", 60L, "b", 60L, "c", 30L, "big", 500L, "embed-e", 10L, "broken", 10L);
    private volatile boolean brokenFails = true;
    private volatile CountDownLatch loadGate;
    private MultiModelEngine engine;

    private MultiModelEngine engine(long budget) {
        engine = new MultiModelEngine((name, file) -> {
            String key = file.getFileName().toString().replace(".gguf", "");
            if (loadGate != null) {
                try {
                    loadGate.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (key.equals("broken") && brokenFails) {
                throw new IllegalArgumentException("broken.gguf: tensor 'output' has the wrong shape");
            }
            loads.add(name);
            Stub s = new Stub(name);
            stubs.put(name, s);
            return s;
        }, file -> new MultiModelEngine.Profile(sizes.get(file.getFileName().toString().replace(".gguf", "")), 4096,
                file.getFileName().toString().startsWith("embed")), budget);
        return engine;
    }

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    private static GenerationRequest ask(String model) {
        return GenerationRequest.chat(model, List.of(new ChatMessage("user", "hi")), SamplingParams.greedy(), 8);
    }

    /** Runs a generation to its end; returns its events. */
    private List<GenerationEvent> run(String model) {
        List<GenerationEvent> events = new ArrayList<>();
        engine.generate(ask(model), events::add);
        return events;
    }

    private static Path file(String key) {
        return Path.of("/models/" + key + ".gguf");
    }

    @Test
    void listsEveryModelLoadsOnDemandAndServesEachUnderItsName() {
        engine(1000);
        engine.put("qwen2.5:7b", file("a"), false);
        engine.put("llama3.2", file("c"), false);
        assertEquals(List.of("qwen2.5:7b", "llama3.2"), engine.models().stream().map(ModelInfo::id).toList());
        assertTrue(loads.isEmpty(), "listed, not loaded");
        List<GenerationEvent> ev = run("llama3.2");
        assertEquals("llama3.2", ((GenerationEvent.Meta) ev.getFirst()).model(), "events carry the served name");
        assertEquals("ok from llama3.2", ((GenerationEvent.Done) ev.getLast()).text());
        assertEquals("ok from qwen2.5:7b", ((GenerationEvent.Done) run(null).getLast()).text(), "no model named: the first registered");
        assertEquals(List.of("llama3.2", "qwen2.5:7b"), loads);
        run("llama3.2");
        assertEquals(2, loads.size(), "loaded once");
        var e = assertThrows(EngineException.class, () -> run("gpt-9"));
        assertEquals(EngineException.Kind.MODEL_NOT_FOUND, e.kind());
        assertEquals("The model 'gpt-9' does not exist here; this node serves qwen2.5:7b, llama3.2", e.getMessage());
        assertEquals(2048, engine.models().getFirst().contextLength(), "a loaded model as it describes itself");
    }

    @Test
    void theLeastRecentlyUsedIdleModelsMakeRoom() {
        engine(100);
        engine.put("a", file("a"), false);
        engine.put("b", file("b"), false);
        engine.put("c", file("c"), false);
        run("a");
        run("b"); // 60 + 60 > 100: a goes
        assertTrue(stubs.get("a").closed);
        assertEquals(List.of("b"), engine.loadedModels());
        run("c"); // 60 + 30 fit
        assertEquals(List.of("b", "c"), engine.loadedModels());
        assertEquals(90, engine.usedBytes());
        run("a"); // 90 + 60 > 100: b (least recently used) goes, c stays
        Awaitility.await().atMost(Duration.ofSeconds(5)).alias("b closed").until(() -> stubs.get("b").closed);
        assertEquals(List.of("c", "a"), engine.loadedModels());
        assertFalse(stubs.get("c").closed);
        assertEquals(List.of("a", "b", "c", "a"), loads);
    }

    @Test
    void aModelServingARequestIsNeverUnloadedForAnother() {
        engine(100);
        engine.put("a", file("a"), false);
        engine.put("b", file("b"), false);
        run("a");
        stubs.get("a").hold = true;
        List<GenerationEvent> held = new ArrayList<>();
        engine.generate(ask("a"), held::add);
        var e = assertThrows(EngineException.class, () -> run("b"));
        assertEquals(EngineException.Kind.OVERLOADED, e.kind());
        assertTrue(e.getMessage().contains("not enough memory to load the model 'b' now"), e.getMessage());
        assertTrue(e.retryAfter() != null);
        assertFalse(stubs.get("a").closed);
        stubs.get("a").releaseHeld();
        assertTrue(held.getLast() instanceof GenerationEvent.Done);
        run("b");
        assertEquals(List.of("b"), engine.loadedModels());
    }

    /** The HTTP layer answers on the last event; a request sent on that answer must find the model idle (a CI race). */
    @Test
    void aRequestSentOnTheLastEventOfAnotherFindsThatModelIdle() {
        engine(100);
        engine.put("a", file("a"), false);
        engine.put("b", file("b"), false);
        List<GenerationEvent> next = new ArrayList<>();
        engine.generate(ask("a"), ev -> {
            if (ev.isTerminal()) {
                engine.generate(ask("b"), next::add);
            }
        });
        assertEquals("ok from b", ((GenerationEvent.Done) next.getLast()).text());
        assertEquals(List.of("b"), engine.loadedModels());
    }

    @Test
    void oneModelAlwaysLoadsAndAFailedLoadLeavesNothingBehind() {
        engine(100);
        engine.put("big", file("big"), false);
        engine.put("broken", file("broken"), false);
        run("big");
        assertEquals(List.of("big"), engine.loadedModels(), "larger than the budget, but alone");
        var e = assertThrows(EngineException.class, () -> run("broken"));
        assertEquals(EngineException.Kind.UNAVAILABLE, e.kind());
        assertEquals("the model 'broken' could not be loaded: broken.gguf: tensor 'output' has the wrong shape", e.getMessage());
        assertEquals(List.of(), engine.loadedModels(), "big made room, broken failed");
        assertEquals(0, engine.usedBytes());
        brokenFails = false;
        run("broken");
        assertEquals(List.of("broken"), engine.loadedModels());
    }

    @Test
    void putLoadsAtOnceRemoveUnloadsAndAReplacedFileClosesTheOldOne() {
        engine(1000);
        engine.put("m", file("a"), true);
        assertEquals(List.of("m"), loads);
        Stub first = stubs.get("m");
        engine.put("m", file("c"), false); // a new file under the same name
        Awaitility.await().atMost(Duration.ofSeconds(5)).alias("the old file's engine closed").until(() -> first.closed);
        run("m");
        assertEquals(2, loads.size());
        assertTrue(engine.remove("m"));
        Awaitility.await().atMost(Duration.ofSeconds(5)).alias("closed after removal").until(() -> stubs.get("m").closed);
        assertTrue(engine.models().isEmpty());
        assertFalse(engine.remove("m"));
        assertThrows(EngineException.class, () -> engine.put("x", file("broken"), true));
    }

    @Test
    void concurrentRequestsForAnUnloadedModelLoadItOnce() throws Exception {
        engine(1000);
        engine.put("a", file("a"), false);
        loadGate = new CountDownLatch(1);
        List<Thread> ts = new ArrayList<>();
        List<GenerationEvent> events = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 4; i++) {
            ts.add(Thread.ofVirtual().start(() -> engine.generate(ask("a"), events::add)));
        }
        Awaitility.await().atMost(Duration.ofSeconds(5)).alias("four requests waiting for the load")
                .until(() -> ts.stream().allMatch(t -> t.getState() == Thread.State.WAITING));
        loadGate.countDown();
        for (Thread t : ts) {
            t.join(5_000);
        }
        assertEquals(List.of("a"), loads);
        assertEquals(4, events.stream().filter(ev -> ev instanceof GenerationEvent.Done).count());
    }

    @Test
    void embeddingsGoToAnEmbeddingModelAndStatsAddUp() {
        engine(1000);
        engine.put("chat", file("a"), false);
        engine.put("embed-e", file("embed-e"), false);
        assertTrue(engine.models().get(1).embeddings(), "known from the file before it loads");
        assertEquals(1, engine.embed(null, List.of("four")).vectors().size());
        assertEquals(List.of("embed-e"), loads);
        EngineStats one = engine.stats().orElseThrow();
        assertEquals(100, one.kvCacheUsedCells());
        assertEquals(40, one.kvCacheActiveCells(), "active cells are the engines' own, not every used cell");
        run("chat");
        EngineStats two = engine.stats().orElseThrow();
        assertEquals(List.of(2, 4, 200L, 2000L, 6L, 8L, 1000L, 80L), List.of(two.queueDepth(), two.activeSequences(), two.kvCacheUsedCells(),
                two.kvCacheTotalCells(), two.promptCacheHits(), two.promptCacheMisses(), two.promptCacheBytes(), two.kvCacheActiveCells()));
        assertTrue(engine.health().up());
        engine.close();
        assertEquals(EngineException.Kind.UNAVAILABLE, assertThrows(EngineException.class, () -> run("chat")).kind());
        assertTrue(stubs.get("embed-e").closed);
    }
}
