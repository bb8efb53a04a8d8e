package io.infernet.bench.roofline;

import java.util.Objects;

/**
 * Memory bandwidth, measured or nominal.
 *
 * @param readGBps    streaming read of a buffer far larger than the last-level cache, GB/s (10^9 bytes)
 * @param triadGBps   STREAM's triad {@code a = b + s*c}, counting 3 arrays' bytes per pass (no
 *                    write-allocate), GB/s; NaN when not measured
 * @param bufferBytes size of each array, bytes (0 for a nominal figure)
 * @param threads     threads that read
 * @param method      how the figure was obtained, for the report
 */
public record Bandwidth(double readGBps, double triadGBps, long bufferBytes, int threads, String method) {
    public Bandwidth {
        Objects.requireNonNull(method, "method");
        if (!(readGBps > 0)) {
            throw new IllegalArgumentException("bandwidth must be > 0 GB/s, got " + readGBps);
        }
    }

    /** The figure that limits generation: reading the weights once per token. */
    public double bytesPerSecond() {
        return readGBps * 1e9;
    }
}
