package io.infernet.kernels;

import java.lang.foreign.MemorySegment;

/**
 * Top-p's cut over the whole vocabulary when its set is large (flat logits, where it holds
 * thousands of tokens, up to most of the vocabulary), found in a few vector passes without
 * gathering the set: the cut {@link Candidates#keepMass} makes over every token, exact up to float
 * rounding of the weights.
 *
 * <p>One pass weighs every token by id, {@code w = exp(x - max)} (0 below the floor), and sums
 * them: {@code Z}. The cut's boundary {@code b} is the largest logit whose mass {@code S(b)}, the
 * sum of {@code w} over the logits {@code >= b}, reaches {@code p * Z}. Each further pass
 * ({@link LogitKernels#gatherBand}) looks at one window {@code [a, c)} of logits and gives
 * {@code S(c)} and {@code S(a)}: b lies above the window, below it, or inside. Inside a window of
 * at most {@link #LIMIT} tokens, which the pass then gathers, the cut is resolved exactly among
 * them ({@link Candidates#massCut} against {@code p * Z - S(c)}); a window holding more is
 * narrowed. A window is placed where the last row's boundary lay relative to {@code max + ln Z}
 * (stable from row to row on flat logits: {@code Z} sums thousands of tokens), else where the mass
 * per logit seen in the last window puts the boundary; on flat logits that is one or two passes.
 * After {@link #MAX_PASSES} windows the rest of the bracket is gathered whole (slower, as exact).
 * Where a window lands changes only the cost, never the cut.
 *
 * <p>Scratch: one float per token, and the sampler's {@link Candidates} for the window. One
 * instance per sampler; not thread-safe; allocates nothing per call.
 */
final class DenseTopP {

    /** The most tokens a window may hold to be resolved; windows aim at half of it. */
    static final int LIMIT = 1024;
    /** Window passes before the whole bracket left is gathered. */
    static final int MAX_PASSES = 8;
    /** The first window's width in logits when there is no last row to go by. */
    private static final float FIRST_WIDTH = 0.25f;

    private final LogitKernels kernels;
    private final int vocabSize;
    private final Candidates band;
    /**
     * {@code exp(x - max)} by token id ({@link LogitKernels#expSumInto}), 0 below the floor: the
     * weights top-p measures mass with.
     */
    private final float[] weights;
    /** {@link LogitKernels#gatherBand}'s out: the mass at or above the window's top, and its bottom; the count above. */
    private final double[] sums = new double[3];
    /** The last boundary minus {@code max + ln Z}, and the width of the window that held it; NaN before any. */
    private float offset = Float.NaN;
    private float width = Float.NaN;

    /** After {@link #cut}: as {@link Candidates#boundary} and {@link Candidates#lastTie}, over the whole vocabulary. */
    float boundary;
    int lastTie;
    /** After {@link #cut}: how many tokens lie at or above the boundary (a split tie counted whole). */
    int kept;
    /** After {@link #cut}: the passes over the vocabulary it took, the weighing pass included. */
    int passes;

    /** @param band scratch for the window, with room for {@code vocabSize} candidates (its contents are overwritten) */
    DenseTopP(int vocabSize, LogitKernels kernels, Candidates band) {
        this.kernels = kernels;
        this.vocabSize = vocabSize;
        this.band = band;
        this.weights = new float[vocabSize];
    }

    /**
     * Finds the shortest best-ranked prefix of the tokens at or above {@code floor} whose weight at
     * temperature 1 reaches {@code p} of their total; sets {@link #boundary}, {@link #lastTie},
     * {@link #kept} and {@link #passes}.
     *
     * @param x     the logits, {@code vocabSize} of them
     * @param max   their maximum, finite
     * @param floor tokens below it weigh nothing (top-p's negligible floor), {@code <= max}
     * @param p     top-p, in {@code (0, 1)}
     */
    void cut(MemorySegment x, float max, float floor, double p) {
        double z = kernels.expSumInto(x, vocabSize, max, floor, weights);
        double target = p * z;
        float lse = max + (float) Math.log(z);
        passes = 1;
        // The bracket: S(lo) >= target > S(hi). Every weighed logit is finite.
        float lo = floor;
        float hi = Float.POSITIVE_INFINITY;
        float top = Math.nextUp(max);
        boolean remembered = !Float.isNaN(offset);
        // Without a last row: where the boundary would be if the whole mass sat at the maximum but
        // for one token at the window (the weight-space secant of S between the floor and the max).
        float center = remembered ? lse + offset : max + (float) Math.log1p(-p);
        float w = remembered ? width : FIRST_WIDTH;
        for (int pass = 0; pass < MAX_PASSES; pass++) {
            float end = Math.min(hi, top);
            if (!(center > lo && center < end)) {
                center = lo + (end - lo) / 2; // also when NaN
            }
            float a = Math.max(lo, center - w / 2);
            float c = Math.min(hi, center + w / 2);
            if (!(a < c)) {
                break; // the window cannot be narrowed within float resolution: gather the bracket
            }
            int count = kernels.gatherBand(x, weights, vocabSize, a, c, LIMIT, band.ids, band.vals, band.weights, sums);
            passes++;
            double above = sums[0]; // S(c)
            double atLeast = sums[1]; // S(a)
            double density = (atLeast - above) / ((double) c - a); // mass per logit across the window
            if (above >= target) { // the boundary is at or above c
                lo = c;
                center = density > 0 ? (float) (c + (above - target) / density) : c + w;
                w *= density > 0 ? 1 : 2;
            } else if (atLeast < target) { // below a
                hi = a;
                center = density > 0 ? (float) (a - (target - atLeast) / density) : a - w;
                w *= density > 0 ? 1 : 2;
            } else if (count <= LIMIT) {
                resolve(count, target - above, a, c, (int) sums[2]);
                offset = boundary - lse;
                width = (c - a) * Math.min(4f, LIMIT / 2f / count); // about LIMIT / 2 tokens here
                return;
            } else {
                lo = a;
                hi = c;
                center = (float) (c - (target - above) / density);
                w = (float) ((c - a) * (LIMIT / 2.0) / count);
            }
        }
        // Rare (ties wider than a window, or distributions the windows keep missing): all of [lo, hi).
        int count = kernels.gatherBand(x, weights, vocabSize, lo, hi, vocabSize, band.ids, band.vals, band.weights, sums);
        passes++;
        resolve(count, target - sums[0], lo, hi, (int) sums[2]);
        offset = boundary - lse;
        width = FIRST_WIDTH;
    }

    /** The cut among the {@code count} gathered tokens of {@code [a, c)}, which must add {@code target} to the mass above c. */
    private void resolve(int count, double target, float a, float c, int aboveCount) {
        if (count == 0) { // only by rounding: the bracket's ends measured the same tokens differently
            boundary = c;
            lastTie = Integer.MAX_VALUE;
            kept = aboveCount;
            return;
        }
        band.size = count;
        band.massCut(target, a, Math.nextDown(c));
        boundary = band.boundary;
        lastTie = band.lastTie;
        kept = aboveCount + kernels.countAtLeast(band.vals, count, boundary);
    }
}
