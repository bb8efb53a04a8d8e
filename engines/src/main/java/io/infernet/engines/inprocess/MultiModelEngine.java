package io.infernet.engines.inprocess;

import io.infernet.engines.Embeddings;
import io.infernet.engines.Engine;
import io.infernet.engines.EngineException;
import io.infernet.engines.EngineStats;
import io.infernet.engines.Generation;
import io.infernet.engines.GenerationEvent;
import io.infernet.engines.GenerationListener;
import io.infernet.engines.GenerationRequest;
import io.infernet.engines.Health;
import io.infernet.engines.ModelInfo;
import io.infernet.engines.ModelSet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Several models in this process, as Ollama serves them: every registered model is listed and
 * can be asked for by name; it is loaded on its first request and stays loaded while memory
 * allows; when loading one would exceed the memory budget, the least recently used models that
 * serve no request are unloaded first. A request for a model that cannot fit while the loaded
 * ones are busy is refused with OVERLOADED (retry shortly) rather than evicting a model in use.
 * A single model always loads, even one larger than the budget (the budget is an estimate).
 *
 * <p>Each loaded model is an engine of its own (an {@link InProcessEngine} in production, opened
 * by the {@link Loader}), asked for its default model; events and model listings carry this
 * engine's name for it. Models are loaded and closed on one platform thread (native calls, one
 * at a time); callers wait for a load without holding any lock. Requests naming no model go to
 * the default: the first registered one. Thread-safe.
 */
public final class MultiModelEngine implements Engine, ModelSet {

    /** Opens one model (its native load). */
    @FunctionalInterface
    public interface Loader {
        /** @throws RuntimeException (EngineException, IllegalArgumentException, ...) naming what is wrong with the file */
        Engine load(String name, Path file);
    }

    /**
     * What a model file needs and offers before it is loaded: {@code bytes} of memory (weights,
     * KV cache and buffers, an estimate), its context length and whether it embeds (0 and false
     * when unknown).
     */
    public record Profile(long bytes, int contextLength, boolean embeddings) {
        public Profile {
            if (bytes < 0 || contextLength < 0) {
                throw new IllegalArgumentException("a profile's sizes must be >= 0");
            }
        }
    }

    /** Reads a file's {@link Profile} (its header; no load). */
    @FunctionalInterface
    public interface Profiler {
        Profile of(Path file);
    }

    private record Registered(Path file, Profile profile) {}

    /** A model loaded or loading; guarded by the engine's lock except {@code engine}'s value. */
    private static final class Slot {
        final String name;
        final Path file;
        final long bytes;
        final CompletableFuture<Engine> engine = new CompletableFuture<>();
        int active;
        long lastUsed;
        boolean retired;

        Slot(String name, Path file, long bytes) {
            this.name = name;
            this.file = file;
            this.bytes = bytes;
        }
    }

    private final Loader loader;
    private final Profiler profiler;
    private final long budgetBytes;
    private final ExecutorService nativeThread = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("infernet-model-load").daemon(true).factory());
    private final LinkedHashMap<String, Registered> registered = new LinkedHashMap<>();
    private final Map<String, Slot> loaded = new LinkedHashMap<>();
    private long usedBytes;
    private boolean closed;

    /** @param budgetBytes memory the loaded models may take together (their profiles' bytes) */
    public MultiModelEngine(Loader loader, Profiler profiler, long budgetBytes) {
        this.loader = Objects.requireNonNull(loader, "loader");
        this.profiler = Objects.requireNonNull(profiler, "profiler");
        if (budgetBytes <= 0) {
            throw new IllegalArgumentException("the memory budget must be > 0 bytes, got " + budgetBytes);
        }
        this.budgetBytes = budgetBytes;
    }

    @Override
    public String kind() {
        return InProcessEngine.KIND;
    }

    public long budgetBytes() {
        return budgetBytes;
    }

    /** Names of the loaded (or loading) models, least recently used first. */
    public synchronized List<String> loadedModels() {
        return loaded.values().stream().sorted(Comparator.comparingLong(s -> s.lastUsed)).map(s -> s.name).toList();
    }

    /** Memory the loaded models take, by their profiles. */
    public synchronized long usedBytes() {
        return usedBytes;
    }

    // ---- the set of models ----

    @Override
    public void put(String name, Path file, boolean loadNow) {
        Objects.requireNonNull(name, "name");
        Profile p = profiler.of(Objects.requireNonNull(file, "file"));
        Slot old;
        synchronized (this) {
            checkOpen();
            registered.put(name, new Registered(file, p));
            old = loaded.get(name);
            if (old != null && !old.file.equals(file)) {
                retire(old);
            }
        }
        if (loadNow) {
            release(acquire(name));
        }
    }

    @Override
    public boolean remove(String name) {
        synchronized (this) {
            boolean had = registered.remove(name) != null;
            Slot s = loaded.get(name);
            if (s != null) {
                loaded.remove(name);
                usedBytes -= s.bytes;
                close(s); // its running generations end cancelled
            }
            return had || s != null;
        }
    }

    /** The model requests that name none are served by: the first registered. */
    public synchronized Optional<String> defaultModel() {
        return registered.keySet().stream().findFirst();
    }

    // ---- Engine ----

    @Override
    public Generation generate(GenerationRequest request, GenerationListener listener) {
        String name = resolve(request.model());
        Slot slot = acquire(name);
        AtomicBoolean released = new AtomicBoolean();
        GenerationListener renaming = ev -> {
            if (ev instanceof GenerationEvent.Meta m) {
                ev = new GenerationEvent.Meta(m.engine(), name, m.startedAt(), m.promptTokens());
            }
            // The model is released before the last event goes out: a client that has its answer
            // and at once asks for another model must find this one idle, not still serving.
            if (ev.isTerminal() && released.compareAndSet(false, true)) {
                release(slot);
            }
            listener.onEvent(ev);
        };
        try {
            return slot.engine.join().generate(request.withModel(null), renaming);
        } catch (RuntimeException e) {
            if (released.compareAndSet(false, true)) {
                release(slot);
            }
            throw e;
        }
    }

    @Override
    public Embeddings embed(String model, List<String> inputs) {
        String name = model != null && !model.isBlank() ? resolve(model) : defaultEmbedder();
        Slot slot = acquire(name);
        try {
            return slot.engine.join().embed(null, inputs);
        } finally {
            release(slot);
        }
    }

    /** Every registered model: the loaded ones as they describe themselves, the others from their files' headers. */
    @Override
    public List<ModelInfo> models() {
        List<ModelInfo> out = new ArrayList<>();
        Map<String, Registered> regs;
        Map<String, Slot> slots;
        synchronized (this) {
            regs = new LinkedHashMap<>(registered);
            slots = new LinkedHashMap<>(loaded);
        }
        regs.forEach((name, r) -> {
            Slot s = slots.get(name);
            Engine e = s != null && s.engine.isDone() && !s.engine.isCompletedExceptionally() ? s.engine.join() : null;
            ModelInfo inner = e == null ? null : e.models().stream().findFirst().orElse(null);
            out.add(inner != null ? new ModelInfo(name, kind(), inner.contextLength(), inner.embeddings())
                    : new ModelInfo(name, kind(), r.profile().contextLength(), r.profile().embeddings()));
        });
        return out;
    }

    @Override
    public Health health() {
        long t0 = System.nanoTime();
        List<Engine> engines = new ArrayList<>();
        int count;
        synchronized (this) {
            count = registered.size();
            loaded.values().stream().filter(s -> s.engine.isDone() && !s.engine.isCompletedExceptionally()).forEach(s -> engines.add(s.engine.join()));
        }
        for (Engine e : engines) {
            Health h = e.health();
            if (!h.up()) {
                return Health.down(h.detail(), Duration.ofNanos(System.nanoTime() - t0));
            }
        }
        return Health.up("serving " + count + " model(s) in process, " + engines.size() + " loaded", Duration.ofNanos(System.nanoTime() - t0));
    }

    /** The loaded models' gauges, summed. */
    @Override
    public Optional<EngineStats> stats() {
        List<Engine> engines = new ArrayList<>();
        synchronized (this) {
            loaded.values().stream().filter(s -> s.engine.isDone() && !s.engine.isCompletedExceptionally()).forEach(s -> engines.add(s.engine.join()));
        }
        int queue = 0;
        int active = 0;
        long used = 0;
        long total = 0;
        long hits = 0;
        long misses = 0;
        long bytes = 0;
        long activeCells = 0;
        for (Engine e : engines) {
            Optional<EngineStats> st = e.stats();
            if (st.isPresent()) {
                EngineStats s = st.get();
                queue += s.queueDepth();
                active += s.activeSequences();
                used += s.kvCacheUsedCells();
                total += s.kvCacheTotalCells();
                hits += s.promptCacheHits();
                misses += s.promptCacheMisses();
                bytes += s.promptCacheBytes();
                activeCells += s.kvCacheActiveCells();
            }
        }
        return Optional.of(new EngineStats(queue, active, used, total, hits, misses, bytes, activeCells));
    }

    /** Unloads every model (running generations end cancelled) and stops the load thread. */
    @Override
    public void close() {
        List<Slot> all;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            all = new ArrayList<>(loaded.values());
            loaded.clear();
            registered.clear();
            usedBytes = 0;
        }
        all.forEach(this::close);
        nativeThread.shutdown();
        try {
            if (!nativeThread.awaitTermination(60, TimeUnit.SECONDS)) {
                nativeThread.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- loading and unloading ----

    private synchronized String resolve(String requested) {
        checkOpen();
        if (requested == null || requested.isBlank()) {
            return registered.keySet().stream().findFirst().orElseThrow(() ->
                    new EngineException(EngineException.Kind.MODEL_NOT_FOUND, "this node serves no model yet", "model"));
        }
        if (!registered.containsKey(requested)) {
            throw new EngineException(EngineException.Kind.MODEL_NOT_FOUND, "The model '" + requested + "' does not exist here; this node serves "
                    + (registered.isEmpty() ? "no model" : String.join(", ", registered.keySet())), "model");
        }
        return requested;
    }

    private synchronized String defaultEmbedder() {
        checkOpen();
        return registered.entrySet().stream().filter(e -> e.getValue().profile().embeddings()).map(Map.Entry::getKey).findFirst()
                .orElseGet(() -> resolve(null));
    }

    /** The model's slot, loaded (this caller waits for the load), marked in use. */
    private Slot acquire(String name) {
        Slot slot;
        synchronized (this) {
            checkOpen();
            Registered r = registered.get(name);
            if (r == null) {
                throw new EngineException(EngineException.Kind.MODEL_NOT_FOUND, "The model '" + name + "' does not exist here", "model");
            }
            slot = loaded.get(name);
            if (slot == null) {
                slot = makeRoom(name, r);
            }
            slot.active++;
            slot.lastUsed = System.nanoTime();
        }
        try {
            slot.engine.get();
            return slot;
        } catch (ExecutionException e) {
            release(slot);
            synchronized (this) {
                if (loaded.get(name) == slot) {
                    loaded.remove(name);
                    usedBytes -= slot.bytes;
                }
            }
            Throwable cause = e.getCause();
            if (cause instanceof EngineException ee) {
                throw ee;
            }
            throw new EngineException(EngineException.Kind.UNAVAILABLE, "the model '" + name + "' could not be loaded: " + cause.getMessage(),
                    "model", null, cause);
        } catch (InterruptedException e) {
            release(slot);
            Thread.currentThread().interrupt();
            throw new EngineException(EngineException.Kind.UNAVAILABLE, "interrupted while the model '" + name + "' was loading");
        }
    }

    /** Under the lock: unloads idle models, least recently used first, until {@code r} fits; starts its load. */
    private Slot makeRoom(String name, Registered r) {
        long need = r.profile().bytes();
        while (usedBytes + need > budgetBytes) {
            Optional<Slot> victim = loaded.values().stream().filter(s -> s.active == 0 && s.engine.isDone())
                    .min(Comparator.comparingLong(s -> s.lastUsed));
            if (victim.isEmpty()) {
                break;
            }
            loaded.remove(victim.get().name);
            usedBytes -= victim.get().bytes;
            close(victim.get());
        }
        if (usedBytes + need > budgetBytes && !loaded.isEmpty()) {
            throw new EngineException(EngineException.Kind.OVERLOADED, "not enough memory to load the model '" + name + "' now: it needs about "
                    + mib(need) + " MiB and " + mib(usedBytes) + " of " + mib(budgetBytes) + " MiB are held by models serving requests ("
                    + String.join(", ", loaded.keySet()) + "); try again when they finish", "model", Duration.ofSeconds(2), null);
        }
        Slot slot = new Slot(name, r.file(), need);
        loaded.put(name, slot);
        usedBytes += need;
        nativeThread.execute(() -> {
            try {
                slot.engine.complete(Objects.requireNonNull(loader.load(name, r.file()), "the loader returned null"));
            } catch (Throwable t) {
                slot.engine.completeExceptionally(t);
            }
        });
        return slot;
    }

    private void release(Slot slot) {
        boolean closeNow;
        synchronized (this) {
            slot.active--;
            slot.lastUsed = System.nanoTime();
            closeNow = slot.retired && slot.active == 0;
        }
        if (closeNow) {
            close(slot);
        }
    }

    /** Under the lock: the slot leaves the loaded set; it closes when its last request ends. */
    private void retire(Slot s) {
        loaded.remove(s.name);
        usedBytes -= s.bytes;
        s.retired = true;
        if (s.active == 0) {
            close(s);
        }
    }

    /** Closes a slot's engine on the load thread (after its load, if that is still running). */
    private void close(Slot s) {
        Runnable task = () -> s.engine.thenAccept(Engine::close);
        try {
            nativeThread.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException shutDown) {
            task.run();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new EngineException(EngineException.Kind.UNAVAILABLE, "the engine is shutting down");
        }
    }

    private static long mib(long bytes) {
        return bytes >> 20;
    }
}
