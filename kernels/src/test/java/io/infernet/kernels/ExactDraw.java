package io.infernet.kernels;

import java.util.Arrays;

/**
 * The token a top-p sampler (no top-k, min-p, bias or penalties) must draw, computed the textbook
 * way in double: rank the whole vocabulary (logit descending, id ascending), cut at the first
 * prefix whose mass at temperature 1 reaches {@code p}, then walk the kept tokens in id order with
 * their weights at the temperature to the first running sum above {@code u} times the total. The
 * weights are {@code exp} in double of the argument the sampler defines ({@code (x - max) * (1/T)}
 * rounded to float, as {@link ScalarKernels#exp}), so what separates a sampler from this is the
 * rounding of float weights and their sums only.
 *
 * <p>{@link #margin} says how close the result came to flipping: the smallest distance, relative
 * to the total, between top-p's target and the running mass on either side of the cut, and between
 * the draw's target and the running sum on either side of the drawn token. A sampler may disagree
 * only where that margin is within its rounding.
 */
final class ExactDraw {

    final int token;
    final double margin;
    /** How many tokens top-p keeps. */
    final int kept;

    private ExactDraw(int token, double margin, int kept) {
        this.token = token;
        this.margin = margin;
        this.kept = kept;
    }

    /**
     * @param u the uniform number the sampler draws with (its first {@code nextDouble} per token)
     * @return null when nothing can be drawn (every logit NaN or -infinity)
     */
    static ExactDraw of(float[] x, float temperature, float topP, double u) {
        int n = x.length;
        long[] keys = new long[n];
        int m = 0;
        for (int id = 0; id < n; id++) {
            if (x[id] > Float.NEGATIVE_INFINITY) {
                keys[m++] = ((long) ~Candidates.ordered(x[id]) << 32) | id;
            }
        }
        if (m == 0) {
            return null;
        }
        keys = Arrays.copyOf(keys, m);
        Arrays.sort(keys);
        float max = x[(int) keys[0]];
        boolean infinite = max == Float.POSITIVE_INFINITY;
        float scale = 1f / Math.max(temperature, Float.MIN_NORMAL);
        double[] mass = new double[m];
        double z = 0;
        for (int r = 0; r < m; r++) {
            z += mass[r] = weight(x[(int) keys[r]], max, infinite, 1f);
        }
        double target = topP * z;
        double cum = 0;
        int kept = m;
        double margin = Double.POSITIVE_INFINITY;
        for (int r = 0; r < m; r++) {
            double before = cum;
            cum += mass[r];
            if (cum >= target) {
                kept = r + 1;
                margin = Math.min(target - before, cum - target) / z; // token r in or out; token r + 1 in or out
                break;
            }
        }
        int[] ids = new int[kept];
        for (int r = 0; r < kept; r++) {
            ids[r] = (int) keys[r];
        }
        Arrays.sort(ids);
        double total = 0;
        double[] w = new double[kept];
        for (int i = 0; i < kept; i++) {
            total += w[i] = weight(x[ids[i]], max, infinite, scale);
        }
        double draw = u * total;
        cum = 0;
        for (int i = 0; i < kept; i++) {
            double before = cum;
            cum += w[i];
            if (cum > draw) {
                return new ExactDraw(ids[i], Math.min(margin, Math.min(draw - before, cum - draw) / total), kept);
            }
        }
        return new ExactDraw(ids[kept - 1], 0, kept); // u * total rounded up to the total itself
    }

    /** {@code exp((v - max) * scale)} in double of the float argument; the tokens at +infinity weigh 1 when the max is. */
    private static double weight(float v, float max, boolean infinite, float scale) {
        if (infinite) {
            return v == Float.POSITIVE_INFINITY ? 1 : 0;
        }
        return Math.exp((v - max) * scale);
    }
}
