package io.infernet.kernels;

import java.util.Arrays;
import java.util.Map;

/**
 * The sampler's semantics written the textbook way: apply bias and penalties to a full copy,
 * sort the whole vocabulary, cut, softmax in double. Slow and obviously right; {@link Sampler}
 * must give the same kept set and probabilities.
 */
final class ReferenceSampler {

    /** Where top-p's cut is decided within this relative distance of its target, floats may decide either way. */
    static final double TOP_P_TOLERANCE = 1e-5;

    /**
     * The kept tokens in rank order and their probabilities; {@code ambiguous[id]} marks tokens
     * whose top-p membership is within {@link #TOP_P_TOLERANCE} of flipping (the mass before them
     * lies that close to top-p's target).
     */
    record Result(int[] ids, double[] probs, boolean[] ambiguous) {
        /** Probabilities by token id over a vocabulary of {@code n}. */
        double[] byId(int n) {
            double[] p = new double[n];
            for (int i = 0; i < ids.length; i++) {
                p[ids[i]] = probs[i];
            }
            return p;
        }
    }

    /**
     * @param counts occurrences of each token in the penalty window (all zero for none)
     */
    static Result sample(float[] raw, SamplingParams p, int[] counts) {
        int n = raw.length;
        float[] x = raw.clone();
        for (Map.Entry<Integer, Float> e : p.logitBias().entrySet()) {
            x[e.getKey()] += e.getValue();
        }
        if (p.hasPenalties() && p.penaltyLastN() != 0) {
            for (int id = 0; id < n; id++) {
                if (counts[id] > 0) {
                    float v = x[id];
                    v = v <= 0f ? v * p.repeatPenalty() : v / p.repeatPenalty();
                    x[id] = v - ((float) counts[id] * p.frequencyPenalty() + p.presencePenalty());
                }
            }
        }
        // Rank: value descending, id ascending; NaN and -infinity can never be drawn.
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
        int[] order = new int[m];
        for (int i = 0; i < m; i++) {
            order[i] = (int) keys[i];
        }
        boolean[] ambiguous = new boolean[n];
        if (p.isGreedy()) {
            return new Result(new int[] {order[0]}, new double[] {1}, ambiguous);
        }
        float max = x[order[0]];
        boolean infinite = max == Float.POSITIVE_INFINITY;
        double[] value = new double[m];
        for (int i = 0; i < m; i++) {
            value[i] = infinite ? (x[order[i]] == max ? 0 : Double.NEGATIVE_INFINITY) : x[order[i]];
        }
        double top = infinite ? 0 : max;
        int kept = m;
        if (p.topK() > 0) {
            kept = Math.min(kept, p.topK());
        }
        if (p.topP() < 1f) {
            double z = 0;
            for (int i = 0; i < kept; i++) {
                z += Math.exp(value[i] - top);
            }
            double target = p.topP() * z;
            double cum = 0;
            int cut = kept;
            for (int i = 0; i < kept; i++) {
                ambiguous[order[i]] = Math.abs(cum - target) <= TOP_P_TOLERANCE * z; // kept iff the mass before is short of it
                cum += Math.exp(value[i] - top);
                if (cum >= target && cut == kept) {
                    cut = i + 1;
                }
            }
            kept = cut;
        }
        if (p.minP() > 0f) {
            float floor = infinite ? (float) Math.log(p.minP()) : max + (float) Math.log(p.minP());
            int i = 1;
            while (i < kept && value[i] >= floor) {
                i++;
            }
            kept = i;
        }
        double[] probs = new double[kept];
        double sum = 0;
        for (int i = 0; i < kept; i++) {
            probs[i] = Math.exp((value[i] - top) / p.temperature());
            sum += probs[i];
        }
        for (int i = 0; i < kept; i++) {
            probs[i] /= sum;
        }
        return new Result(Arrays.copyOf(order, kept), probs, ambiguous);
    }

    private ReferenceSampler() {
    }
}
