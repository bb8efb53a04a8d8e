package io.infernet.engines.inprocess;

import java.nio.file.Path;

/**
 * What a user asks of the in-process engine ({@code serve} and {@code start} take the same
 * options). Zero means "the engine's choice" where noted.
 *
 * @param model             GGUF file to serve; null serves the built-in demo model
 * @param parallel          sequences decoded together (continuous-batching slots), >= 1; {@code --parallel}
 * @param maxSequenceTokens tokens one request may hold, prompt and output; 0 = the model's trained context, at most
 *                          {@value #DEFAULT_MAX_SEQUENCE_TOKENS}; {@code --ctx}
 * @param threads           ggml CPU threads; 0 = the physical cores; {@code --threads}
 * @param cacheRamBytes     host memory for saved prompt states; 0 turns the prompt cache off; {@code --cache-ram}
 * @param maxQueue          requests that may wait for a slot; beyond that the engine refuses with OVERLOADED (HTTP 429)
 * @param unifiedKv         one KV pool shared by all sequences (a request may grow past its share; a full pool swaps the
 *                          youngest out) instead of a KV stream per sequence; {@code --kv-unified}
 * @param chatTemplate      a Jinja chat template file used instead of the model's; null for the model's; {@code --chat-template}
 */
public record InProcessOptions(Path model, int parallel, int maxSequenceTokens, int threads, long cacheRamBytes, int maxQueue,
                               boolean unifiedKv, Path chatTemplate) {

    /** Options with the model's own chat template. */
    public InProcessOptions(Path model, int parallel, int maxSequenceTokens, int threads, long cacheRamBytes, int maxQueue, boolean unifiedKv) {
        this(model, parallel, maxSequenceTokens, threads, cacheRamBytes, maxQueue, unifiedKv, null);
    }

    /** Tokens one request may hold when the user sets none: the model's trained context, up to this. */
    public static final int DEFAULT_MAX_SEQUENCE_TOKENS = 8192;

    public InProcessOptions {
        if (parallel < 1) {
            throw new IllegalArgumentException("--parallel must be >= 1, got " + parallel);
        }
        if (maxSequenceTokens < 0) {
            throw new IllegalArgumentException("--ctx must be >= 0 (0 = the model's), got " + maxSequenceTokens);
        }
        if (threads < 0) {
            throw new IllegalArgumentException("--threads must be >= 0 (0 = automatic), got " + threads);
        }
        if (cacheRamBytes < 0) {
            throw new IllegalArgumentException("--cache-ram must be >= 0 (0 = off), got " + cacheRamBytes);
        }
        if (maxQueue < 0) {
            throw new IllegalArgumentException("--max-queue must be >= 0, got " + maxQueue);
        }
    }

    /** The demo model, 4 slots, the model's context, automatic threads, 512 MiB of prompt cache, 64 queued, a KV stream per slot. */
    public static InProcessOptions defaults() {
        return new InProcessOptions(null, 4, 0, 0, 512L << 20, 64, false);
    }

    public InProcessOptions withModel(Path m) {
        return new InProcessOptions(m, parallel, maxSequenceTokens, threads, cacheRamBytes, maxQueue, unifiedKv, chatTemplate);
    }

    public InProcessOptions withChatTemplate(Path file) {
        return new InProcessOptions(model, parallel, maxSequenceTokens, threads, cacheRamBytes, maxQueue, unifiedKv, file);
    }
}
