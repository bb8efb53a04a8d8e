package io.infernet.engines.ollama;

import java.util.Objects;
import java.util.OptionalDouble;

/**
 * One line of {@code /api/pull} progress: {@code pulling manifest}, then per layer
 * {@code pulling <short digest>} with byte counts, then {@code verifying sha256 digest},
 * {@code writing manifest}, {@code success}.
 *
 * @param status    Ollama's words
 * @param digest    the layer ({@code sha256:...}) the counts are about, or null
 * @param total     the layer's size in bytes, or 0 when not given
 * @param completed bytes of the layer downloaded so far, or 0 when not given
 */
public record PullProgress(String status, String digest, long total, long completed) {

    public PullProgress {
        Objects.requireNonNull(status, "status");
        if (total < 0 || completed < 0) {
            throw new IllegalArgumentException("byte counts must be >= 0, got " + completed + "/" + total);
        }
    }

    /** The layer's downloaded fraction, when its size is known. */
    public OptionalDouble fraction() {
        return total > 0 ? OptionalDouble.of(Math.min(1.0, (double) completed / total)) : OptionalDouble.empty();
    }

    /** A line for people: {@code pulling 6a0746a1ec1a: 45% of 2.0 GB}. */
    public String describe() {
        if (total <= 0) {
            return status;
        }
        return status + ": " + Math.round(fraction().orElse(0) * 100) + "% of " + String.format(java.util.Locale.ROOT, "%.1f GB", total / 1e9);
    }
}
