package io.infernet.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.SplittableRandom;

/** Test logits: native segments as llama.cpp hands them over, and the shapes the kernels must survive. */
final class Logits {

    /** Sizes around every vector width and block boundary, up to real vocabularies. */
    static final List<Integer> SIZES = List.of(1, 2, 3, 7, 15, 16, 17, 31, 33, 63, 64, 65, 127, 128, 129,
            255, 256, 257, 1000, 4097, 32000, 32001, 128256, 131072);

    enum Shape {
        /** N(0, 2^2): flat, the worst case for thresholds. */
        GAUSSIAN,
        /** A language model's: a bulk N(0, 2^2) and a few dozen plausible tokens far above it. */
        PEAKED,
        /** Values on a coarse grid: ties everywhere, including at the max. */
        TIES,
        ALL_EQUAL,
        /** Gaussian with a quarter of the tokens at -infinity. */
        SOME_NEG_INF,
        /** Gaussian with NaN sprinkled in (never chosen, never counted). */
        SOME_NAN,
        /** +-Float.MAX_VALUE and neighbours: differences overflow to infinity. */
        HUGE,
        /** Subnormal and tiny values around zero, both signs of zero. */
        TINY,
        /** Every value -infinity. */
        ALL_NEG_INF,
        /** Gaussian with a few +infinity. */
        SOME_POS_INF
    }

    static float[] make(Shape shape, int n, long seed) {
        var random = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (random.nextGaussian() * 2);
        }
        switch (shape) {
            case GAUSSIAN -> { }
            case PEAKED -> {
                float top = 18f;
                for (int j = 0; j < Math.min(n, 24); j++) {
                    x[random.nextInt(n)] = top;
                    top -= (float) (-Math.log(1 - random.nextDouble()) * 0.7);
                }
            }
            case TIES -> {
                for (int i = 0; i < n; i++) {
                    x[i] = Math.round(x[i] * 2) / 2f;
                }
            }
            case ALL_EQUAL -> java.util.Arrays.fill(x, 1.25f);
            case SOME_NEG_INF -> {
                for (int i = 0; i < n; i++) {
                    if (random.nextInt(4) == 0) {
                        x[i] = Float.NEGATIVE_INFINITY;
                    }
                }
            }
            case SOME_NAN -> {
                for (int i = 0; i < n; i++) {
                    if (random.nextInt(5) == 0) {
                        x[i] = Float.NaN;
                    }
                }
            }
            case HUGE -> {
                float[] pool = {Float.MAX_VALUE, -Float.MAX_VALUE, Math.nextDown(Float.MAX_VALUE), 1e38f, -1e38f, 0f};
                for (int i = 0; i < n; i++) {
                    x[i] = pool[random.nextInt(pool.length)];
                }
            }
            case TINY -> {
                float[] pool = {Float.MIN_VALUE, -Float.MIN_VALUE, 0f, -0f, Float.MIN_NORMAL, 1e-40f, -1e-42f};
                for (int i = 0; i < n; i++) {
                    x[i] = pool[random.nextInt(pool.length)];
                }
            }
            case ALL_NEG_INF -> java.util.Arrays.fill(x, Float.NEGATIVE_INFINITY);
            case SOME_POS_INF -> {
                for (int j = 0; j < Math.max(1, n / 1000); j++) {
                    x[random.nextInt(n)] = Float.POSITIVE_INFINITY;
                }
            }
        }
        return x;
    }

    /** A native copy of {@code x}, 64-byte aligned, freed by the GC. */
    static MemorySegment segment(float[] x) {
        MemorySegment s = Arena.ofAuto().allocate((long) Math.max(1, x.length) * Float.BYTES, 64);
        MemorySegment.copy(x, 0, s, LogitKernels.LOGIT, 0, x.length);
        return s;
    }

    static float[] read(MemorySegment s, int n) {
        float[] x = new float[n];
        MemorySegment.copy(s, LogitKernels.LOGIT, 0, x, 0, n);
        return x;
    }

    private Logits() {
    }
}
