package io.infernet.kernels;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Scratch for the tokens still in the running at one sampling step: {@code ids[i]}, its logit
 * {@code vals[i]} and a weight {@code weights[i]} for {@code i < size}, always in increasing id
 * order. Ranking is by logit, higher first, ties to the lower id; the cuts below keep a best-ranked
 * prefix of that order exactly, without sorting: they find the boundary logit by bisection over
 * the float order, each step one vectorized count or masked sum, then compact in one pass.
 *
 * <p>Arrays are sized to the vocabulary once; nothing here allocates. Not thread-safe.
 */
final class Candidates {

    final int[] ids;
    final float[] vals;
    final float[] weights;
    int size;
    /** After {@link #massCut}: the lowest logit of the prefix, and the highest id it keeps at that logit. */
    float boundary;
    int lastTie;
    private final LogitKernels kernels;

    Candidates(int capacity, LogitKernels kernels) {
        this.ids = new int[capacity];
        this.vals = new float[capacity];
        this.weights = new float[capacity];
        this.kernels = kernels;
    }

    /** Replaces the set with every {@code i < n} whose {@code x[i] >= threshold}. */
    void gather(MemorySegment x, int n, float threshold) {
        size = kernels.gatherAtLeast(x, 0, n, threshold, ids, vals, 0);
    }

    /**
     * Replaces the set with every {@code i < n} whose {@code x[i] >= threshold}, visiting only the
     * blocks whose maximum ({@code blockMax[b]}, see {@link LogitKernels#blockMax}) reaches it.
     */
    void gatherBlocks(MemorySegment x, int n, float[] blockMax, float threshold) {
        size = kernels.gatherBlocksAtLeast(x, n, blockMax, threshold, ids, vals);
    }

    /** Sets every weight to {@code exp((val - max) * scale)}; returns their sum. */
    double weigh(float max, float scale) {
        return kernels.exp(vals, size, max, scale, weights);
    }

    /**
     * Keeps the {@code k} best-ranked (ties to the lower id). Every logit must lie in
     * {@code [low, high]}.
     */
    void keepBest(int k, float low, float high) {
        if (size <= k) {
            return;
        }
        float boundary = threshold(kernels, vals, null, size, k, low, high);
        int ties = k - kernels.countAtLeast(vals, size, Math.nextUp(boundary));
        int kept = 0;
        for (int i = 0; i < size; i++) {
            float v = vals[i];
            if (v > boundary || (v == boundary && ties-- > 0)) {
                move(i, kept++);
            }
        }
        size = kept;
    }

    /**
     * Keeps the shortest best-ranked prefix whose weight reaches {@code target} (all of them if
     * none does). Weights must be current; every logit must lie in {@code [low, high]}.
     */
    void keepMass(double target, float low, float high) {
        if (size <= 1) {
            return;
        }
        massCut(target, low, high);
        size = kernels.keepRanked(ids, vals, weights, size, boundary, lastTie);
    }

    /**
     * Where {@link #keepMass} cuts, without cutting: sets {@link #boundary}, the lowest logit of the
     * prefix, and {@link #lastTie}, the highest id it keeps among the candidates at that logit (ties
     * are kept in id order while the prefix is short of the target; {@link Integer#MAX_VALUE} when
     * every tie is kept, -1 when none is). The prefix is then the candidates with
     * {@code vals > boundary || (vals == boundary && ids <= lastTie)}. Requires {@code size >= 1};
     * weights current, logits in {@code [low, high]}.
     */
    void massCut(double target, float low, float high) {
        float b = threshold(kernels, vals, weights, size, target, low, high);
        boundary = b;
        lastTie = Integer.MAX_VALUE;
        float above = Math.nextUp(b);
        if (kernels.countAtLeast(vals, size, b) - kernels.countAtLeast(vals, size, above) <= 1) {
            return; // no tie to split: the prefix is everything at or above b
        }
        double sum = kernels.sumAtLeast(vals, weights, size, above);
        int last = -1;
        for (int i = 0; i < size; i++) { // rare: ties at the boundary, kept in id order while short of the target
            if (vals[i] == b) {
                if (sum >= target) {
                    lastTie = last;
                    return;
                }
                sum += weights[i];
                last = ids[i];
            }
        }
    }

    /**
     * True if {@link #keepMass}{@code (target, ...)} would keep every candidate: all but the
     * last-ranked one weigh less than {@code target}. {@code mass} is the sum of the current weights.
     */
    boolean massNeedsAll(double mass, double target) {
        if (size <= 1) {
            return true;
        }
        int last = 0;
        for (int i = 1; i < size; i++) {
            if (vals[i] <= vals[last]) {
                last = i; // the lowest logit; among equals the highest id ranks last
            }
        }
        return mass - weights[last] < target;
    }

    /** Keeps the candidates whose logit is {@code >= threshold}. */
    void keepAtLeast(float threshold) {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            if (vals[i] >= threshold) {
                move(i, kept++);
            }
        }
        size = kept;
    }

    /** Sets every logit to 0: the tokens are equally likely (the limit when all were +infinity). */
    void flatten() {
        Arrays.fill(vals, 0, size, 0f);
    }

    private void move(int from, int to) {
        ids[to] = ids[from];
        vals[to] = vals[from];
        weights[to] = weights[from];
    }

    /**
     * The largest value {@code t} with {@code measure(t) >= target}, where {@code measure(t)} is how
     * many keys are {@code >= t} ({@code weights == null}) or the sum of their weights; always one of
     * the keys. Bisection over the total order of floats, at most 32 steps, each one vector pass.
     * Requires {@code measure(low) >= target}; keys in {@code [low, high]}, not NaN.
     */
    static float threshold(LogitKernels kernels, float[] keys, float[] weights, int n, double target, float low, float high) {
        int lo = ordered(low);
        int hi = ordered(high);
        while (lo < hi) {
            int mid = (int) (((long) lo + hi + 1) >> 1);
            float t = unordered(mid);
            double measure = weights == null ? kernels.countAtLeast(keys, n, t) : kernels.sumAtLeast(keys, weights, n, t);
            if (measure >= target) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return unordered(lo);
    }

    /** An int whose signed order is the order of the non-NaN float {@code f} ({@code -0.0} as {@code 0.0}). */
    static int ordered(float f) {
        int bits = Float.floatToRawIntBits(f + 0f);
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }

    static float unordered(int o) {
        return Float.intBitsToFloat(o ^ ((o >> 31) & 0x7fffffff));
    }
}
