package io.infernet.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The loops token sampling spends its time in. {@link ScalarKernels} is the naive reference;
 * {@link VectorKernels} is the fast one and is tested against it (see each method for the
 * tolerance: exact unless a method says otherwise).
 *
 * <p>Inputs: full-vocabulary operations read {@code n} float32 logits from a {@link MemorySegment}
 * in native byte order, laid out as llama.cpp's {@code float *} logits (little-endian on x86-64
 * and aarch64); a heap segment over a {@code float[]} gives the same results (vector loads from
 * one ran ~2.5x slower here). Candidate operations work on {@code float[]} scratch the caller
 * owns. No method retains its inputs; only the output arrays a method names, and the segment the
 * two sparse updates are given, are written. Implementations are stateless and thread-safe.
 *
 * <p>NaN: a NaN never compares {@code >=} anything, so it is never a maximum, never gathered and
 * never counted: it behaves as a logit that can never be chosen.
 */
public sealed interface LogitKernels permits ScalarKernels, VectorKernels {

    /** How a logit is stored: float32, native byte order, any 4-byte alignment. */
    ValueLayout.OfFloat LOGIT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    /** Elements per block of {@link #blockMax}. */
    int BLOCK = 256;

    /** Elements per chunk of {@link #expSum}'s chunk sums. */
    int SUM_CHUNK = 1024;

    /** Set this system property to {@code true} to make {@link #preferred()} the scalar reference. */
    String FORCE_SCALAR_PROPERTY = "infernet.kernels.scalar";

    static LogitKernels scalar() {
        return ScalarKernels.INSTANCE;
    }

    static LogitKernels vector() {
        return VectorKernels.INSTANCE;
    }

    /** The Vector API kernels, unless {@code -Dinfernet.kernels.scalar=true} asks for the scalar ones. */
    static LogitKernels preferred() {
        return Boolean.getBoolean(FORCE_SCALAR_PROPERTY) ? scalar() : vector();
    }

    /** Short name for logs and benchmark labels, e.g. {@code "vector-512"}. */
    String name();

    // ---- full vocabulary: x[0, n) in a segment ----

    /** The largest non-NaN value of {@code x[0, n)}; {@code -infinity} if there is none. */
    float max(MemorySegment x, int n);

    /**
     * The lowest index of the maximum of {@code x[0, n)}: ties go to the lowest index, NaN is
     * skipped, {@code -0.0 == 0.0}. When every number is {@code -infinity}, the first of them.
     * Returns -1 when {@code n == 0} or every value is NaN.
     */
    int argmax(MemorySegment x, int n);

    /**
     * Writes the maximum of each block {@code x[b*BLOCK, min(n, (b+1)*BLOCK))} into {@code out[b]}
     * (as {@link #max}: NaN skipped, {@code -infinity} for a block without a number) and returns
     * the maximum over all of {@code x[0, n)}. {@code out} needs {@code ceil(n / BLOCK)} elements.
     */
    float blockMax(MemorySegment x, int n, float[] out);

    /**
     * Appends every {@code i} in {@code [from, to)} with {@code x[i] >= threshold}, in increasing
     * order, to {@code ids} and {@code x[i]} to {@code vals}, starting at position {@code count};
     * returns the new count. Both arrays need room for {@code count + (to - from)} elements
     * (a vector implementation may write, and later overwrite, past the last appended element).
     */
    int gatherAtLeast(MemorySegment x, int from, int to, float threshold, int[] ids, float[] vals, int count);

    /**
     * As {@link #gatherAtLeast} over {@code [0, n)} from count 0, visiting only the blocks whose
     * maximum {@code blockMax[b]} (see {@link #blockMax}) is {@code >= threshold}: the others hold
     * no candidate. Both arrays need room for {@code n} elements.
     */
    int gatherBlocksAtLeast(MemorySegment x, int n, float[] blockMax, float threshold, int[] ids, float[] vals);

    /**
     * Sum of {@code exp((x[i] - max) * scale)} over the {@code i < n} with {@code x[i] >= threshold}:
     * the softmax denominator at temperature {@code 1 / scale}, stable when {@code max} is the
     * maximum. {@code scale} finite and {@code > 0}; {@code max} finite and {@code >= x[i]}. When
     * {@code chunkSums} is not null, also writes the sum over each chunk
     * {@code x[c*SUM_CHUNK, min(n, (c+1)*SUM_CHUNK))} into {@code chunkSums[c]}
     * ({@code ceil(n / SUM_CHUNK)} elements). Terms under {@code 1e-37} of the maximum's may be left
     * out. The vector result is within a relative {@code 1e-5} of the scalar one (a faster exp
     * whose terms are within a relative 2.5e-6, a different summation order); each chunk sum within
     * {@code 1e-5} of the total.
     */
    double expSum(MemorySegment x, int n, float max, float scale, float threshold, float[] chunkSums);

    /**
     * {@link #expSum} without chunk sums, and in the same pass the gather of
     * {@link #gatherAtLeast}{@code (x, 0, n, gatherThreshold, ids, vals, 0)}: writes the sum into
     * {@code sum[0]} and returns the count.
     */
    int gatherExpSum(MemorySegment x, int n, float max, float scale, float threshold, float gatherThreshold, int[] ids,
            float[] vals, double[] sum);

    /**
     * Each term of {@link #expSum} over {@code x[from, to)} into {@code out[i]} (0 where
     * {@code x[i]} is below the threshold or NaN), so that {@code out[from, to)} is the unnormalized
     * distribution by token id; returns their sum. Elements within 2 ulp of the scalar ones.
     */
    double expInto(MemorySegment x, int from, int to, float max, float scale, float threshold, float[] out);

    /**
     * {@link #expSum} at scale 1 over {@code x[0, n)} that also writes each term to {@code out[i]}
     * (0 below the threshold and for NaN), as {@link #expInto} does but with expSum's exp: weights
     * for sums and comparisons of sums (top-p's mass), not for the draw. Returns their sum. The
     * vector terms are within a relative 2.5e-6 of the scalar ones, the sum within 1e-5.
     */
    double expSumInto(MemorySegment x, int n, float max, float threshold, float[] out);

    /**
     * One pass of the search for top-p's boundary over the whole vocabulary: the logits
     * {@code x[0, n)} with their weights by id {@code w[0, n)} (finite, {@code >= 0}). Writes
     * {@code out[0]}, the sum of {@code w[i]} over {@code x[i] >= hi}; {@code out[1]}, the sum over
     * {@code x[i] >= lo}; {@code out[2]}, how many {@code x[i] >= hi}. Returns how many lie in the
     * band {@code lo <= x[i] < hi} ({@code lo <= hi}); when that is at most {@code limit}, they are
     * gathered in increasing id order into {@code ids}, their logits into {@code vals} and their
     * weights into {@code weights} (else what those arrays hold is unspecified). The arrays need
     * room for {@code n} elements. NaN is in no band and no sum. Counts exact; sums within a
     * relative 1e-5 of the scalar ones.
     */
    int gatherBand(MemorySegment x, float[] w, int n, float lo, float hi, int limit, int[] ids, float[] vals, float[] weights,
            double[] out);

    // ---- candidates: float[] [0, n) ----

    /**
     * Writes {@code out[i] = exp((vals[i] - max) * scale)} for {@code i < n} (as {@link #expInto};
     * no NaN in {@code vals}) and returns their sum. Each element within 2 ulp of the scalar one;
     * the sum within a relative 1e-5.
     */
    double exp(float[] vals, int n, float max, float scale, float[] out);

    /** How many of {@code x[0, n)} are {@code >= threshold}. */
    int countAtLeast(float[] x, int n, float threshold);

    /**
     * Sum of {@code weights[i]} over the {@code i < n} with {@code keys[i] >= threshold};
     * weights must be {@code >= 0}. Non-decreasing as the threshold falls (also in floating
     * point), which the sampler's bisection relies on. Vector result within a relative 1e-5.
     */
    double sumAtLeast(float[] keys, float[] weights, int n, float threshold);

    /**
     * Keeps, in place and in order, the candidates {@code i < n} ranked at or above a cut:
     * {@code vals[i] > boundary}, or {@code vals[i] == boundary} and {@code ids[i] <= lastTie};
     * returns how many. Moves {@code ids}, {@code vals} and {@code weights} together. No NaN in
     * {@code vals}. Exact.
     */
    int keepRanked(int[] ids, float[] vals, float[] weights, int n, float boundary, int lastTie);

    /**
     * Inverse CDF: the first {@code i < n} whose running sum {@code weights[0] + ... + weights[i]}
     * exceeds {@code target}. If rounding leaves no such index, the last {@code i} with a positive
     * weight; -1 if every weight is zero. Weights {@code >= 0}. A vector implementation may pick a
     * neighbouring index only where the target lies within float rounding (relative 1e-5 of the
     * total) of a running-sum boundary.
     */
    int searchCumulative(float[] weights, int n, double target);

    // ---- sparse modification of a copy of the logits ----
    // Scalar in every implementation: a few hundred scattered ids at most, and the Vector API
    // has no gather/scatter over a MemorySegment.

    /** {@code x[ids[j]] += deltas[j]} for {@code j < n}; ids distinct and in range. */
    default void addAt(MemorySegment x, int[] ids, float[] deltas, int n) {
        for (int j = 0; j < n; j++) {
            long i = ids[j];
            x.setAtIndex(LOGIT, i, x.getAtIndex(LOGIT, i) + deltas[j]);
        }
    }

    /**
     * llama.cpp's penalties for the tokens {@code ids[0, n)} (distinct, each with
     * {@code counts[id] > 0}): {@code x <= 0 ? x * repeat : x / repeat}, then
     * {@code x -= counts[id] * frequency + presence}, in float as llama.cpp does.
     */
    default void penalize(MemorySegment x, int[] ids, int n, int[] counts, float repeat, float frequency, float presence) {
        for (int j = 0; j < n; j++) {
            int id = ids[j];
            float v = x.getAtIndex(LOGIT, id);
            v = v <= 0f ? v * repeat : v / repeat;
            x.setAtIndex(LOGIT, id, v - ((float) counts[id] * frequency + presence));
        }
    }
}
