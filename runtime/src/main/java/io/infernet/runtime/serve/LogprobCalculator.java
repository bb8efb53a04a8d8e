package io.infernet.runtime.serve;

import io.infernet.kernels.LogitKernels;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Log-probabilities of a logits row (see {@link TokenLogprobs} for which distribution): one pass
 * for the block maxima, one exp pass for the denominator, and for the top {@code k} a gather of
 * only the blocks whose maximum reaches the {@code k}-th largest block maximum (at least {@code k}
 * logits reach it, so the top {@code k} lie among those). The exp pass is the kernels' (a relative
 * 1e-5 at most on the sum, so about 1e-5 on a log-probability). One per engine; engine thread only.
 */
final class LogprobCalculator {
    private final LogitKernels kernels = LogitKernels.preferred();
    private final int vocabSize;
    private final float[] blockMax;
    private final float[] sortedBlockMax;
    private final int[] ids;
    private final float[] vals;

    LogprobCalculator(int vocabSize) {
        this.vocabSize = vocabSize;
        this.blockMax = new float[(vocabSize + LogitKernels.BLOCK - 1) / LogitKernels.BLOCK];
        this.sortedBlockMax = new float[blockMax.length];
        this.ids = new int[vocabSize];
        this.vals = new float[vocabSize];
    }

    /** A row's normalizer and top tokens, taken before the row is masked or modified. */
    record Row(float logSumExp, int[] topTokens, float[] topLogprobs) {
        /** The drawn token's log-probabilities, from its raw logit (unchanged by a mask that allowed it). */
        TokenLogprobs of(int token, float rawLogit) {
            return new TokenLogprobs(token, Math.min(0f, rawLogit - logSumExp), topTokens, topLogprobs);
        }
    }

    /**
     * @param row {@code vocabSize} float32 logits, native order; only read
     * @param k   how many top tokens, {@code 0..}{@link Decoding#MAX_TOP_LOGPROBS}
     */
    Row row(MemorySegment row, int k) {
        float max = kernels.blockMax(row, vocabSize, blockMax);
        if (!Float.isFinite(max)) {
            throw new IllegalStateException("the model's logits have no finite maximum (" + max + "); cannot compute log-probabilities");
        }
        double z = kernels.expSum(row, vocabSize, max, 1f, Float.NEGATIVE_INFINITY, null);
        float lse = (float) (max + Math.log(z));
        int keep = Math.min(k, vocabSize);
        if (keep == 0) {
            return new Row(lse, new int[0], new float[0]);
        }
        System.arraycopy(blockMax, 0, sortedBlockMax, 0, blockMax.length);
        Arrays.sort(sortedBlockMax);
        float threshold = keep <= blockMax.length ? sortedBlockMax[blockMax.length - keep] : Float.NEGATIVE_INFINITY;
        int count = kernels.gatherBlocksAtLeast(row, vocabSize, blockMax, threshold, ids, vals);
        Integer[] order = new Integer[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        // most likely first; gathered in increasing id order, and the sort is stable: ties keep the lower id first
        Arrays.sort(order, (a, b) -> Float.compare(vals[b], vals[a]));
        int m = Math.min(keep, count);
        int[] top = new int[m];
        float[] lp = new float[m];
        for (int i = 0; i < m; i++) {
            top[i] = ids[order[i]];
            lp[i] = Math.min(0f, vals[order[i]] - lse);
        }
        return new Row(lse, top, lp);
    }
}
