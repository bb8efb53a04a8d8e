package io.infernet.kernels;

import java.lang.foreign.MemorySegment;

/**
 * The reference: plain loops, one element at a time, sums in double, exp via {@link Math#exp}.
 * Every fast implementation is tested against this one.
 */
final class ScalarKernels implements LogitKernels {

    static final ScalarKernels INSTANCE = new ScalarKernels();

    private ScalarKernels() {
    }

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public float max(MemorySegment x, int n) {
        float best = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            float v = x.getAtIndex(LOGIT, i);
            if (v > best) {
                best = v;
            }
        }
        return best;
    }

    @Override
    public int argmax(MemorySegment x, int n) {
        float best = Float.NEGATIVE_INFINITY;
        int index = -1;
        for (int i = 0; i < n; i++) {
            float v = x.getAtIndex(LOGIT, i);
            if (v > best || (index < 0 && v == best)) {
                best = v;
                index = i;
            }
        }
        return index;
    }

    @Override
    public float blockMax(MemorySegment x, int n, float[] out) {
        float all = Float.NEGATIVE_INFINITY;
        for (int from = 0, b = 0; from < n; from += BLOCK, b++) {
            int to = Math.min(n, from + BLOCK);
            float best = Float.NEGATIVE_INFINITY;
            for (int i = from; i < to; i++) {
                float v = x.getAtIndex(LOGIT, i);
                if (v > best) {
                    best = v;
                }
            }
            out[b] = best;
            if (best > all) {
                all = best;
            }
        }
        return all;
    }

    @Override
    public int gatherAtLeast(MemorySegment x, int from, int to, float threshold, int[] ids, float[] vals, int count) {
        for (int i = from; i < to; i++) {
            float v = x.getAtIndex(LOGIT, i);
            if (v >= threshold) {
                ids[count] = i;
                vals[count] = v;
                count++;
            }
        }
        return count;
    }

    @Override
    public int gatherBlocksAtLeast(MemorySegment x, int n, float[] blockMax, float threshold, int[] ids, float[] vals) {
        int count = 0;
        for (int b = 0, from = 0; from < n; b++, from += BLOCK) {
            if (blockMax[b] >= threshold) {
                count = gatherAtLeast(x, from, Math.min(n, from + BLOCK), threshold, ids, vals, count);
            }
        }
        return count;
    }

    @Override
    public double expSum(MemorySegment x, int n, float max, float scale, float threshold, float[] chunkSums) {
        double total = 0;
        for (int from = 0, c = 0; from < n; from += SUM_CHUNK, c++) {
            double sum = 0;
            for (int i = from; i < Math.min(n, from + SUM_CHUNK); i++) {
                float v = x.getAtIndex(LOGIT, i);
                if (v >= threshold) {
                    sum += exp(v, max, scale);
                }
            }
            if (chunkSums != null) {
                chunkSums[c] = (float) sum;
            }
            total += sum;
        }
        return total;
    }

    @Override
    public int gatherExpSum(MemorySegment x, int n, float max, float scale, float threshold, float gatherThreshold,
            int[] ids, float[] vals, double[] sum) {
        sum[0] = expSum(x, n, max, scale, threshold, null);
        return gatherAtLeast(x, 0, n, gatherThreshold, ids, vals, 0);
    }

    @Override
    public double expInto(MemorySegment x, int from, int to, float max, float scale, float threshold, float[] out) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            float v = x.getAtIndex(LOGIT, i);
            float e = v >= threshold ? exp(v, max, scale) : 0f;
            out[i] = e;
            sum += e;
        }
        return sum;
    }

    @Override
    public double expSumInto(MemorySegment x, int n, float max, float threshold, float[] out) {
        return expInto(x, 0, n, max, 1f, threshold, out);
    }

    @Override
    public int gatherBand(MemorySegment x, float[] w, int n, float lo, float hi, int limit, int[] ids, float[] vals,
            float[] weights, double[] out) {
        double above = 0;
        double atLeast = 0;
        int aboveCount = 0;
        int count = 0;
        for (int i = 0; i < n; i++) {
            float v = x.getAtIndex(LOGIT, i);
            if (v >= hi) {
                above += w[i];
                aboveCount++;
            }
            if (v >= lo) {
                atLeast += w[i];
                if (v < hi) {
                    if (count < limit) {
                        ids[count] = i;
                        vals[count] = v;
                        weights[count] = w[i];
                    }
                    count++;
                }
            }
        }
        out[0] = above;
        out[1] = atLeast;
        out[2] = aboveCount;
        return count;
    }

    @Override
    public double exp(float[] vals, int n, float max, float scale, float[] out) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float e = exp(vals[i], max, scale);
            out[i] = e;
            sum += e;
        }
        return sum;
    }

    /** exp((v - max) * scale), the difference and product rounded to float as the vector lanes do. */
    static float exp(float v, float max, float scale) {
        return (float) Math.exp((v - max) * scale);
    }

    @Override
    public int countAtLeast(float[] x, int n, float threshold) {
        int count = 0;
        for (int i = 0; i < n; i++) {
            if (x[i] >= threshold) {
                count++;
            }
        }
        return count;
    }

    @Override
    public double sumAtLeast(float[] keys, float[] weights, int n, float threshold) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            if (keys[i] >= threshold) {
                sum += weights[i];
            }
        }
        return sum;
    }

    @Override
    public int keepRanked(int[] ids, float[] vals, float[] weights, int n, float boundary, int lastTie) {
        int kept = 0;
        for (int i = 0; i < n; i++) {
            float v = vals[i];
            if (v > boundary || (v == boundary && ids[i] <= lastTie)) {
                ids[kept] = ids[i];
                vals[kept] = v;
                weights[kept] = weights[i];
                kept++;
            }
        }
        return kept;
    }

    @Override
    public int searchCumulative(float[] weights, int n, double target) {
        return searchCumulative(weights, 0, n, 0, target);
    }

    /**
     * The scalar walk both implementations finish with: from {@code cum} (the sum of
     * {@code weights[0, from)}), the first {@code i} in {@code [from, n)} whose running sum exceeds
     * {@code target}; if rounding leaves none, the last positive weight in {@code [0, n)};
     * else -1.
     */
    static int searchCumulative(float[] weights, int from, int n, double cum, double target) {
        for (int i = from; i < n; i++) {
            cum += weights[i];
            if (cum > target) {
                return i;
            }
        }
        for (int i = n - 1; i >= 0; i--) {
            if (weights[i] > 0) {
                return i;
            }
        }
        return -1;
    }
}
