package io.infernet.bench.roofline;

import io.infernet.bench.tier.ModelFacts;

/**
 * The bandwidth roofline of generation: a single-sequence decode reads every weight once (all but
 * the token embedding, of which it reads one row) and the KV cache of the positions so far, so it
 * cannot run faster than {@code bandwidth / bytes read per token}. Compute, the logits and
 * activations are left out: this is an upper bound, and a measured figure is quoted as a fraction
 * of it.
 *
 * @param bandwidthBytesPerSecond the memory bandwidth, bytes/s
 * @param bytesPerToken           bytes read per generated token, averaged over the run
 * @param tokensPerSecond         {@code bandwidth / bytesPerToken}
 */
public record Roofline(double bandwidthBytesPerSecond, double bytesPerToken, double tokensPerSecond) {

    public Roofline {
        if (!(bandwidthBytesPerSecond > 0) || !(bytesPerToken > 0)) {
            throw new IllegalArgumentException("bandwidth and bytes per token must be > 0");
        }
    }

    /**
     * Bytes one decode reads, averaged over {@code genTokens} decodes from an empty cache: weights
     * less the token embedding plus one embedding row, plus the KV cache of {@code i + 1} positions
     * for the token at position {@code i}, which averages {@code (genTokens + 1) / 2} positions.
     */
    public static double bytesPerToken(ModelFacts model, int genTokens) {
        if (genTokens < 1) {
            throw new IllegalArgumentException("genTokens must be >= 1, got " + genTokens);
        }
        double weights = model.weightBytes() - model.tokenEmbeddingBytes() + model.tokenEmbeddingRowBytes();
        double kv = model.kvBytesPerToken() * (genTokens + 1) / 2.0;
        return weights + kv;
    }

    public static Roofline of(Bandwidth bandwidth, ModelFacts model, int genTokens) {
        double bytes = bytesPerToken(model, genTokens);
        return new Roofline(bandwidth.bytesPerSecond(), bytes, bandwidth.bytesPerSecond() / bytes);
    }

    /** {@code measured / tokensPerSecond}: how close a figure gets to the physical limit. */
    public double fraction(double measuredTokensPerSecond) {
        return measuredTokensPerSecond / tokensPerSecond;
    }
}
