package io.infernet.node.engine;

import io.infernet.engines.Engine;
import io.infernet.engines.inprocess.InProcessEngine;
import io.infernet.natives.Progress;
import io.infernet.node.api.EngineStats;
import io.infernet.runtime.CpuTopology;
import io.infernet.runtime.JavaSampler;
import io.infernet.runtime.Model;
import io.infernet.runtime.ModelProbe;
import io.infernet.runtime.gguf.DemoModel;
import io.infernet.runtime.serve.ServeConfig;
import io.infernet.runtime.serve.ServeStats;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens the in-process engine (llama.cpp in this JVM, continuous batching, the Java sampler)
 * for {@code infernet serve} and {@code infernet start}. Without a model it serves the built-in
 * demo model, and says plainly that its weights are random.
 */
public final class InProcessEngines {
    private InProcessEngines() {}

    /** The name the built-in demo model is served under. */
    public static final String DEMO_NAME = "infernet-demo";

    /** Context tokens one request may hold when the user sets none: the model's, up to this. */
    public static final int DEFAULT_MAX_CONTEXT = 8192;

    /**
     * Loads {@code model} (null: the demo model) and starts serving it; a model file is first
     * checked by {@link ModelProbe} (the Java checks, then a child process unless cached).
     *
     * @param contextPerSequence tokens one request may hold; 0 = the model's trained context, at most {@value #DEFAULT_MAX_CONTEXT}
     * @param threads            0 = physical cores
     * @param unifiedKv          one KV pool shared by the slots (preemption when it fills) instead of a stream per slot
     */
    public static InProcessEngine open(Path model, int parallel, int contextPerSequence, int threads, long cacheRamBytes, int maxQueue,
                                       boolean unifiedKv) {
        Path file = model;
        if (file == null) {
            file = DemoModel.ensure(Progress.STDERR);
            System.err.println("[infernet] no model given: serving the built-in demo model " + file.getFileName()
                    + " (RANDOM weights: its output is gibberish; pass --model PATH to serve a real GGUF model)");
        } else if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("model file not found: " + file);
        } else {
            // a file llama.cpp would abort on must never reach this process (our demo model is ours)
            ModelProbe.standard().require(file, line -> System.err.println("[infernet] " + line));
        }
        Model m = Model.load(file);
        try {
            int ctx = contextPerSequence > 0 ? contextPerSequence : Math.min(DEFAULT_MAX_CONTEXT, Math.max(256, m.contextLengthTrained()));
            long cells = Math.min((long) ctx * parallel, 1L << 20);
            ServeConfig cfg = new ServeConfig(parallel, (int) cells, ctx, 512, threads > 0 ? threads : CpuTopology.physicalCores(),
                    cacheRamBytes, maxQueue, unifiedKv);
            return new InProcessEngine(m, model == null ? DEMO_NAME : null, cfg, JavaSampler::new);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** The serving engine's counters in the HTTP API's shape, for {@code /metrics}. */
    public static EngineStats stats(Engine engine) {
        if (!(engine instanceof InProcessEngine ip)) {
            return null;
        }
        return () -> {
            ServeStats s = ip.stats();
            return new EngineStats.Snapshot(s.queued(), s.running(), s.kvCellsUsed(), s.kvCells(), s.cacheHits(), s.cacheMisses(),
                    s.hostCache().bytesUsed());
        };
    }
}
