package io.infernet.node.cli;

import java.nio.file.Path;

/**
 * What {@code infernet serve} tells the engine it builds. Zero means "the engine's choice"
 * where noted.
 *
 * @param model       GGUF file to serve, or null for the provider's default
 * @param parallel    sequences decoded together (continuous-batching slots), >= 1
 * @param contextSize context tokens per sequence; 0 = the model's trained context
 * @param threads     CPU threads for decoding; 0 = the engine picks
 * @param cacheRamMiB RAM budget of the prompt cache in MiB; 0 turns it off
 * @param maxQueue    requests allowed to wait for a slot; beyond that the engine refuses with
 *                    OVERLOADED (HTTP 429)
 * @param kvUnified   one KV pool shared by all sequences (a request may grow past its share; a full pool swaps the
 *                    youngest out) instead of a KV stream per sequence
 */
public record EngineOptions(Path model, int parallel, int contextSize, int threads, long cacheRamMiB, int maxQueue, boolean kvUnified) {
    public EngineOptions {
        if (parallel < 1) {
            throw new IllegalArgumentException("--parallel must be >= 1, got " + parallel);
        }
        if (contextSize < 0) {
            throw new IllegalArgumentException("--ctx must be >= 0 (0 = the model's), got " + contextSize);
        }
        if (threads < 0) {
            throw new IllegalArgumentException("--threads must be >= 0 (0 = automatic), got " + threads);
        }
        if (cacheRamMiB < 0) {
            throw new IllegalArgumentException("--cache-ram must be >= 0 MiB (0 = off), got " + cacheRamMiB);
        }
        if (maxQueue < 0) {
            throw new IllegalArgumentException("--max-queue must be >= 0, got " + maxQueue);
        }
    }
}
