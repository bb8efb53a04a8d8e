package io.infernet.hardware.fit;

/**
 * Weight formats of GGUF files, with their average size per weight. K-quant mixes (Q4_K_M, Q5_K_M)
 * keep some tensors at a higher precision, so their figure is an average over a typical Llama
 * file, not the block format's own size; the catalogue's sizes are estimates within a few percent
 * of real files (Llama-3.1-8B Q4_K_M: 4.53 GiB estimated, 4.58 GiB real).
 */
public enum Quant {
    F16(16.0),
    Q8_0(8.5),
    Q6_K(6.5625),
    Q5_K_M(5.69),
    Q4_K_M(4.85),
    Q4_0(4.5);

    private final double bitsPerWeight;

    Quant(double bitsPerWeight) {
        this.bitsPerWeight = bitsPerWeight;
    }

    /** Average bits per weight. */
    public double bitsPerWeight() {
        return bitsPerWeight;
    }

    /** Bytes of {@code parameters} weights in this format, rounded to the nearest byte. */
    public long weightBytes(long parameters) {
        if (parameters <= 0) {
            throw new IllegalArgumentException("parameter count must be > 0, got " + parameters);
        }
        return Math.round(parameters * bitsPerWeight / 8.0);
    }
}
