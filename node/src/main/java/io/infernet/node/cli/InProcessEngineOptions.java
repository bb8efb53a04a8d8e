package io.infernet.node.cli;

import io.infernet.engines.inprocess.InProcessOptions;
import io.infernet.hardware.LinuxProc;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.function.Supplier;
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

    @Option(names = "--cache-ram", paramLabel = "MiB|auto", defaultValue = "auto",
            description = "Prompt cache RAM budget in MiB; 0 = off. Default auto: a quarter of the RAM available when the node starts "
                    + "(MemAvailable in /proc/meminfo; elsewhere the JVM's free physical memory), at most "
                    + AUTO_CACHE_RAM_MAX_MIB + " MiB.")
    String cacheRam;

    /** The most {@code --cache-ram auto} gives, MiB (llama-server's fixed default). */
    static final long AUTO_CACHE_RAM_MAX_MIB = 8192;

    /** Where {@code auto} reads the available RAM (bytes); tests put a fixed figure here. */
    Supplier<OptionalLong> availableRam = InProcessEngineOptions::availableRam;

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
            if (chatTemplate != null && !Files.isRegularFile(chatTemplate)) {
                throw new IllegalArgumentException("--chat-template " + chatTemplate + ": no such file; give the path of a Jinja template");
            }
            return new InProcessOptions(model, parallel, ctx, threads, cacheRamBytes(), maxQueue, kvUnified, chatTemplate);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageError(e.getMessage());
        }
    }

    /** {@code --cache-ram} in bytes: a number of MiB, or auto. */
    long cacheRamBytes() {
        String v = cacheRam == null ? "auto" : cacheRam.strip().toLowerCase(Locale.ROOT);
        if (v.equals("auto")) {
            return autoCacheRamBytes(availableRam.get());
        }
        long mib;
        try {
            mib = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--cache-ram takes a number of MiB or auto, got '" + cacheRam + "'");
        }
        if (mib < 0 || mib > (Long.MAX_VALUE >> 20)) {
            throw new IllegalArgumentException("--cache-ram must be in 0.." + (Long.MAX_VALUE >> 20) + " MiB (0 = off), got " + mib);
        }
        return mib << 20;
    }

    /**
     * A quarter of {@code available} bytes, at most {@link #AUTO_CACHE_RAM_MAX_MIB}, in whole MiB;
     * 512 MiB when the available RAM is unknown.
     */
    static long autoCacheRamBytes(OptionalLong available) {
        if (available.isEmpty()) {
            return 512L << 20;
        }
        long quarterMib = (available.getAsLong() / 4) >> 20;
        return Math.min(quarterMib, AUTO_CACHE_RAM_MAX_MIB) << 20;
    }

    /** MemAvailable on Linux; elsewhere the JVM's view of free physical memory; empty when neither can be read. */
    static OptionalLong availableRam() {
        Path meminfo = Path.of("/proc/meminfo");
        if (Files.isReadable(meminfo)) {
            try {
                return OptionalLong.of(LinuxProc.parseMemInfo(Files.readString(meminfo)).availableBytes());
            } catch (IOException | RuntimeException e) {
                // fall through to the JVM's figure
            }
        }
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long free = os.getFreeMemorySize();
            return free > 0 ? OptionalLong.of(free) : OptionalLong.empty();
        }
        return OptionalLong.empty();
    }
}
