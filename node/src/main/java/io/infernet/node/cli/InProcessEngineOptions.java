package io.infernet.node.cli;

import io.infernet.engines.inprocess.InProcessOptions;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The in-process engine's options, shared by {@code serve} and {@code start}. */
final class InProcessEngineOptions {

    @Option(names = "--parallel", paramLabel = "N", defaultValue = "4", description = "Sequences decoded together (default ${DEFAULT-VALUE}).")
    int parallel;

    @Option(names = "--ctx", paramLabel = "N", defaultValue = "0",
            description = "Context tokens one request may hold, prompt and output (default 0 = the model's trained context, at most "
                    + InProcessOptions.DEFAULT_MAX_SEQUENCE_TOKENS + ").")
    int ctx;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0", description = "CPU threads (default 0 = the physical cores).")
    int threads;

    @Option(names = "--cache-ram", paramLabel = "MiB", defaultValue = "8192", description = "Prompt cache RAM budget in MiB (default ${DEFAULT-VALUE}; 0 = off).")
    long cacheRamMiB;

    @Option(names = "--kv-unified",
            description = "One KV pool shared by all sequences: a request may grow past its share, and a full pool swaps the youngest "
                    + "sequence out to host memory. Default: a KV stream per sequence (as llama-server), faster with many sequences.")
    boolean kvUnified;

    @Option(names = "--chat-template", paramLabel = "FILE",
            description = "A Jinja chat template to render chats with instead of the model's tokenizer.chat_template "
                    + "(e.g. one that renders tools, or a fixed version of the model's).")
    Path chatTemplate;

    @Option(names = "--max-queue", paramLabel = "N", defaultValue = "64", description = "Requests that may wait for a free sequence; more get HTTP 429 (default ${DEFAULT-VALUE}).")
    int maxQueue;

    @Option(names = "--models-memory", paramLabel = "MiB", defaultValue = "0",
            description = "Memory the loaded models may take together (weights, KV cache, buffers, estimated from their headers); "
                    + "the least recently used idle ones unload to make room (default 0 = the GPUs' VRAM, else RAM less a reserve).")
    long modelsMemoryMiB;

    /** {@code --models-memory} in bytes, 0 for the node's budget. */
    long modelsMemoryBytes() {
        if (modelsMemoryMiB < 0 || modelsMemoryMiB > (Long.MAX_VALUE >> 20)) {
            throw new Main.UsageError("--models-memory must be in 0.." + (Long.MAX_VALUE >> 20) + " MiB (0 = automatic), got " + modelsMemoryMiB);
        }
        return modelsMemoryMiB << 20;
    }

    /**
     * The options for {@code model} (null: the demo model).
     *
     * @throws Main.UsageError naming the bad option
     */
    InProcessOptions toOptions(Path model) {
        try {
            if (cacheRamMiB < 0 || cacheRamMiB > (Long.MAX_VALUE >> 20)) {
                throw new IllegalArgumentException("--cache-ram must be in 0.." + (Long.MAX_VALUE >> 20) + " MiB (0 = off), got " + cacheRamMiB);
            }
            if (chatTemplate != null && !java.nio.file.Files.isRegularFile(chatTemplate)) {
                throw new IllegalArgumentException("--chat-template " + chatTemplate + ": no such file; give the path of a Jinja template");
            }
            return new InProcessOptions(model, parallel, ctx, threads, cacheRamMiB << 20, maxQueue, kvUnified, chatTemplate);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageError(e.getMessage());
        }
    }
}
