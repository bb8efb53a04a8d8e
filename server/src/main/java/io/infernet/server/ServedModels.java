package io.infernet.server;

import io.infernet.engines.Engine;
import io.infernet.engines.ModelInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The model names clients may use: the engine's models, the aliases of its default model
 * ({@code --model-alias}), and with {@code --accept-any-model} any name at all. Also the
 * largest context served, which bounds a generation request's body.
 *
 * <p>A name the engine does not know is answered by its default model (the first it lists) and
 * reported back as the client wrote it, in the answer's {@code model} field. (llama-server, at
 * our pin, accepts any name and reports its own first alias instead; reporting the client's name
 * keeps tools that compare it with what they asked for working.)
 *
 * <p>The engine's list is read at most once per {@link #REFRESH_NANOS} (a remote engine answers
 * it over HTTP). Thread-safe.
 */
final class ServedModels {

    static final long REFRESH_NANOS = 10_000_000_000L;

    /** What to ask the engine for, and what to tell the client. */
    record Resolved(String engineModel, String reported) {
        /** @return the model name an answer reports: the client's name where it was an alias, else the engine's */
        String report(String engineReported) {
            return reported != null ? reported : engineReported;
        }
    }

    private final Engine engine;
    private final List<String> aliases;
    private final boolean acceptAny;
    private final LongSupplier nanoClock;
    private volatile List<ModelInfo> cached = List.of();
    private volatile long cachedAt;
    private volatile boolean loaded;

    ServedModels(Engine engine, EdgeConfig cfg, LongSupplier nanoClock) {
        this.engine = engine;
        this.aliases = cfg.modelAliases();
        this.acceptAny = cfg.acceptAnyModel();
        this.nanoClock = nanoClock;
    }

    ServedModels(Engine engine, EdgeConfig cfg) {
        this(engine, cfg, System::nanoTime);
    }

    /**
     * The engine's name for {@code requested} (null: its default) and the name to report. Names
     * the engine lists, and unknown names without {@code --accept-any-model}, go to the engine
     * as they are (it answers 404 for the unknown).
     */
    Resolved resolve(String requested) {
        if (requested == null || requested.isEmpty()) {
            return new Resolved(null, null);
        }
        if (aliases.contains(requested)) {
            return new Resolved(null, requested);
        }
        if (acceptAny && models().stream().noneMatch(m -> m.id().equals(requested))) {
            return new Resolved(null, requested);
        }
        return new Resolved(requested, null);
    }

    /** The engine's models, then one entry per alias (as the default model, under the alias). */
    List<ModelInfo> listed() {
        List<ModelInfo> engineModels = engine.models();
        List<ModelInfo> out = new ArrayList<>(engineModels);
        if (!engineModels.isEmpty()) {
            ModelInfo first = engineModels.getFirst();
            for (String a : aliases) {
                if (engineModels.stream().noneMatch(m -> m.id().equals(a))) {
                    out.add(new ModelInfo(a, first.engine(), first.contextLength(), first.embeddings()));
                }
            }
        }
        return out;
    }

    /** The largest context any served model has, in tokens; 0 when unknown (the engine does not say, or cannot be reached). */
    int maxContextTokens() {
        int max = 0;
        for (ModelInfo m : models()) {
            max = Math.max(max, m.contextLength());
        }
        return max;
    }

    private List<ModelInfo> models() {
        long now = nanoClock.getAsLong();
        if (!loaded || now - cachedAt > REFRESH_NANOS) {
            try {
                cached = List.copyOf(engine.models());
            } catch (RuntimeException e) {
                // keep the last list: a remote engine that does not answer now is asked again next time
            }
            cachedAt = now;
            loaded = true;
        }
        return cached;
    }
}
