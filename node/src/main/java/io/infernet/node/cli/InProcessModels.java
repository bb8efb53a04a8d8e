package io.infernet.node.cli;

import io.infernet.engines.Engine;
import io.infernet.engines.inprocess.InProcessEngine;
import io.infernet.engines.inprocess.InProcessOptions;
import io.infernet.engines.inprocess.MultiModelEngine;
import io.infernet.hardware.HardwareProbe;
import io.infernet.hardware.RuntimeDeviceSource;
import io.infernet.hardware.fit.FitEstimator;
import io.infernet.hardware.fit.GgufFootprint;
import io.infernet.hardware.fit.MemoryBudget;
import io.infernet.hardware.fit.ModelFootprint;
import io.infernet.node.protocol.models.ModelStore;
import io.infernet.runtime.gguf.DemoModel;
import io.infernet.runtime.gguf.GgufFile;
import io.infernet.runtime.gguf.GgufReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The in-process engine of {@code serve} and {@code start}: every model given with
 * {@code --model} (served as its file name without {@code .gguf}), then those of a models
 * directory (the node's store: under the names installs recorded), in one
 * {@link MultiModelEngine} within a memory budget ({@code --models-memory}, else the node's:
 * its GPUs' VRAM, or its RAM less a reserve). The first model is the default and is loaded at
 * once (a broken file fails the start); the others load on their first request. With no model
 * at all, the built-in demo model is served (and installs add to it).
 */
final class InProcessModels {
    private InProcessModels() {}

    /**
     * @param files  {@code --model} files, in order
     * @param stored a models directory's entries (their names), or empty
     * @param opener opens one model (InProcessEngine::open; tests put fakes here)
     * @param budgetBytes 0 for the node's budget
     * @throws Main.UsageError when a file is missing or two models would share a name
     */
    static MultiModelEngine open(List<Path> files, List<ModelStore.Entry> stored, InProcessOptions options,
                                 Function<InProcessOptions, Engine> opener, long budgetBytes) {
        Map<String, Path> models = new LinkedHashMap<>();
        for (Path f : files) {
            if (!Files.isRegularFile(f)) {
                throw new Main.UsageError("--model " + f + ": model file not found");
            }
            String name = nameOf(f);
            Path before = models.putIfAbsent(name, f);
            if (before != null && !before.equals(f)) {
                throw new Main.UsageError("--model " + f + " and " + before + " would both be served as '" + name + "'; rename one");
            }
        }
        stored.forEach(e -> models.putIfAbsent(e.name(), e.file()));
        boolean demo = models.isEmpty();
        if (demo) {
            models.put(InProcessEngine.DEMO_NAME, DemoModel.path());
        }
        long budget = budgetBytes > 0 ? budgetBytes : nodeBudget();
        MultiModelEngine engine = new MultiModelEngine((name, file) -> opener.apply(options.withModel(demo && name.equals(InProcessEngine.DEMO_NAME) ? null : file)),
                profiler(options), budget);
        try {
            boolean first = true;
            for (Map.Entry<String, Path> m : models.entrySet()) {
                engine.put(m.getKey(), m.getValue(), first);
                first = false;
            }
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
        if (models.size() > 1) {
            System.err.println("[infernet] serving " + models.size() + " models in process (" + String.join(", ", models.keySet())
                    + ") within " + (budget >> 20) + " MiB; each loads on its first request, the least recently used idle ones unload to make room");
        }
        return engine;
    }

    /** A file's served name: its file name without {@code .gguf}. */
    static String nameOf(Path file) {
        String f = file.getFileName().toString();
        return f.endsWith(".gguf") ? f.substring(0, f.length() - ".gguf".length()) : f;
    }

    /**
     * What a model needs, read from its header: weights, the KV cache for the slots and context
     * these options give it (as InProcessEngine sizes them) and compute buffers
     * ({@link FitEstimator}); an unreadable header counts as its file size.
     */
    static MultiModelEngine.Profiler profiler(InProcessOptions o) {
        return file -> {
            try {
                ModelFootprint f = GgufFootprint.read(file);
                int perSequence = o.maxSequenceTokens() > 0 ? o.maxSequenceTokens()
                        : Math.min(InProcessOptions.DEFAULT_MAX_SEQUENCE_TOKENS, Math.max(256, f.nCtxTrain()));
                int cells = (int) Math.min((long) perSequence * o.parallel(), 1L << 20);
                long bytes = f.weightBytes() + f.kvCacheBytes(cells) + FitEstimator.overheadBytes(f.weightBytes());
                return new MultiModelEngine.Profile(bytes, perSequence, pools(file));
            } catch (IllegalArgumentException | ArithmeticException e) {
                long size;
                try {
                    size = Files.isRegularFile(file) ? Files.size(file) : 0;
                } catch (IOException io) {
                    size = 0;
                }
                return new MultiModelEngine.Profile(size, 0, false);
            }
        };
    }

    /** Whether the model pools its output (an embedding model), by {@code <arch>.pooling_type} 1..3. */
    private static boolean pools(Path file) {
        try {
            GgufFile g = GgufReader.read(file);
            long t = g.findLong(g.architecture() + ".pooling_type").orElse(0);
            return t >= 1 && t <= 3;
        } catch (RuntimeException e) { // GgufException among them
            return false;
        }
    }

    /** The node's memory for models ({@link MemoryBudget#forNode}); unlimited when it cannot be told. */
    static long nodeBudget() {
        try {
            long cap = MemoryBudget.forNode(HardwareProbe.system(new RuntimeDeviceSource()).detect()).capacityBytes();
            return cap > 0 ? cap : Long.MAX_VALUE;
        } catch (RuntimeException e) {
            return Long.MAX_VALUE;
        }
    }
}
