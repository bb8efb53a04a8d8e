package io.infernet.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Draws the next token of one sequence from its logits, as its {@link SamplingParams} say.
 *
 * <p><b>Order</b> (llama.cpp's common sampler): logit bias; penalties (repeat: a positive logit
 * is divided by {@code repeatPenalty}, a non-positive one multiplied; then
 * {@code count * frequencyPenalty + presencePenalty} is subtracted, for each token seen in the
 * last {@code penaltyLastN} accepted tokens); top-k; top-p (over the softmax at temperature 1
 * of what top-k left); min-p (keeps logit {@code >= max + ln(minP)}, i.e. probability at
 * temperature 1 {@code >= minP} times the best one's); temperature; the seeded draw. With
 * {@code temperature == 0} the result is the argmax after bias and penalties (ties to the lowest
 * id), and no random number is used. Ties anywhere in the ranking go to the lower token id.
 *
 * <p><b>Logits.</b> {@link #sample} reads {@code vocabSize} float32 values in native byte order
 * (llama.cpp's {@code float *} for one output row) from the segment and never writes to it; the
 * segment must be readable by the calling thread. Bias and penalties are applied to a private
 * copy, made only when there is a bias or a non-empty penalty history.
 *
 * <p><b>Accuracy.</b> Tokens whose logit is more than {@code ln(vocabSize) + 20} (times the
 * temperature, for the draw) below the maximum are left out before any exp: each weighs under
 * {@code e^-20 / vocabSize} of the best token, so together under {@code e^-20 ~ 2.1e-9} of the
 * total, below float32 rounding of the probabilities themselves. Top-k, min-p and the ranking
 * are exact; top-p's boundary and the draw are exact up to float rounding of the weights
 * (a relative 1e-5 at most).
 *
 * <p><b>Randomness.</b> One {@link SplitMix64} stream per sampler, seeded with
 * {@link SamplingParams#seed()}; every non-greedy {@link #sample} consumes exactly one double
 * (even when a single token is left). The same seed, logits and accepted tokens give the same
 * tokens with the same kernels; scalar and vector kernels agree except where a draw lands within
 * float rounding of a boundary between two tokens.
 *
 * <p><b>Cost.</b> No sort. Greedy: one argmax pass. Otherwise one pass for the maximum (for top-k,
 * the maxima of 256-token blocks, whose k-th largest bounds the k-th largest logit from below),
 * one gather of the candidates above a threshold, and exact cuts by bisection over the candidates.
 * Two cases need an exp of nearly every logit: top-p without top-k (its denominator) and a draw
 * over most of the vocabulary (temperature near 1 and no filter). That pass uses a cheaper exp
 * fit for sums ({@link LogitKernels#expSum}); top-p gathers its first band in the same pass, and
 * the wide draw picks a chunk of {@link LogitKernels#SUM_CHUNK} tokens by its sum, then computes
 * the weights of that chunk only. The per-token path allocates nothing: scratch is sized to the
 * vocabulary here (three arrays, a native copy when there is a bias or penalties, the penalty
 * history's).
 *
 * <p><b>Threads.</b> One sampler per sequence, used by one thread at a time; not thread-safe.
 */
public final class Sampler {

    /** ln of the bound on the total weight of the tokens left out (see Accuracy). */
    private static final double NEGLIGIBLE = 20;
    /** First band below the max that top-p without top-k gathers; widened 4x until it holds the mass. */
    private static final float TOP_P_FIRST_BAND = 8f;
    /** Elements per gather step while watching whether the candidates stay sparse. */
    private static final int SPARSE_STEP = 4096;

    private final SamplingParams params;
    private final int vocabSize;
    private final LogitKernels kernels;
    private final SplitMix64 random;
    /** Null when the penalties are off or look at no tokens. */
    private final PenaltyHistory history;
    /** The logit bias as parallel arrays sorted by id (zero biases dropped). */
    private final int[] biasIds;
    private final float[] biasValues;
    /**
     * Where bias and penalties are applied: native memory (vector loads from heap segments are
     * slower), freed by the GC with the sampler; null when there are neither.
     */
    private final MemorySegment copy;
    private final Candidates candidates;
    /** Per-block maxima for top-k; null without top-k. */
    private final float[] blockMax;
    /** Top-p's cut over the whole vocabulary; null unless top-p comes without top-k and min-p. */
    private final DenseTopP denseTopP;
    /** The last top-p set was large (more than {@link #sparseLimit}): cut the next one with {@link #denseTopP}. */
    private boolean flatTopP;
    /** How many cuts {@link #denseTopP} has made; for tests. */
    private long denseCuts;
    /** Per-chunk weights of a dense draw (see {@link #dense}). */
    private final float[] chunkSums;
    /** Where {@link LogitKernels#gatherExpSum} puts its sum. */
    private final double[] sum = new double[1];
    /** Logits further than this (times the temperature for the draw) below the max are negligible. */
    private final float band;
    /** Candidates gathered beyond this many: weigh the whole vocabulary by id instead. */
    private final int sparseLimit;
    /**
     * After {@link #keep}: true if the draw is over the whole vocabulary by token id, weighed per
     * chunk in {@link #chunkSums}; the weights of one chunk are computed when the draw lands in it,
     * from {@link #denseLogits} with {@link #denseMax} and {@link #denseThreshold}.
     */
    private boolean dense;
    private MemorySegment denseLogits;
    private float denseMax;
    private float denseThreshold;
    /** After {@link #keep}: the sum of the candidates' weights. */
    private double total;
    /** The largest logit of the last row sampled (not greedy), NaN before any: top-p's guess for the next. */
    private float lastMax = Float.NaN;

    /** A sampler with the preferred kernels ({@link LogitKernels#preferred()}). */
    public Sampler(SamplingParams params, int vocabSize) {
        this(params, vocabSize, LogitKernels.preferred());
    }

    /**
     * @param params    how to sample
     * @param vocabSize number of token ids (the length of a logits row), > 0
     * @param kernels   the loops to use; the scalar reference or the Vector API ones
     * @throws IllegalArgumentException if {@code vocabSize <= 0} or a logit bias names a token id
     *                                  outside {@code [0, vocabSize)}
     */
    public Sampler(SamplingParams params, int vocabSize, LogitKernels kernels) {
        if (vocabSize <= 0) {
            throw new IllegalArgumentException("vocabSize must be > 0, got " + vocabSize);
        }
        this.params = Objects.requireNonNull(params, "params");
        this.vocabSize = vocabSize;
        this.kernels = Objects.requireNonNull(kernels, "kernels");
        this.random = new SplitMix64(params.seed());

        var bias = new TreeMap<Integer, Float>();
        for (Map.Entry<Integer, Float> e : params.logitBias().entrySet()) {
            if (e.getKey() >= vocabSize) {
                throw new IllegalArgumentException("logit_bias names token id " + e.getKey()
                        + ", outside this model's vocabulary [0, " + vocabSize + "); remove it or use an id below " + vocabSize);
            }
            if (e.getValue() != 0f) {
                bias.put(e.getKey(), e.getValue());
            }
        }
        this.biasIds = bias.keySet().stream().mapToInt(Integer::intValue).toArray();
        this.biasValues = new float[biasIds.length];
        for (int j = 0; j < biasIds.length; j++) {
            biasValues[j] = bias.get(biasIds[j]);
        }

        boolean penalties = params.hasPenalties() && params.penaltyLastN() != 0;
        this.history = penalties ? new PenaltyHistory(vocabSize, params.penaltyLastN()) : null;
        this.copy = penalties || biasIds.length > 0
                ? Arena.ofAuto().allocate((long) vocabSize * Float.BYTES, 64)
                : null;
        this.candidates = new Candidates(vocabSize, kernels);
        this.blockMax = topK() > 0 ? new float[(vocabSize + LogitKernels.BLOCK - 1) / LogitKernels.BLOCK] : null;
        this.denseTopP = topK() == 0 && params.topP() < 1f && params.minP() <= 0f
                ? new DenseTopP(vocabSize, kernels, candidates)
                : null;
        this.chunkSums = new float[(vocabSize + LogitKernels.SUM_CHUNK - 1) / LogitKernels.SUM_CHUNK];
        this.band = (float) (Math.log(vocabSize) + NEGLIGIBLE);
        this.sparseLimit = Math.max(256, vocabSize / 16);
    }

    public SamplingParams params() {
        return params;
    }

    public int vocabSize() {
        return vocabSize;
    }

    /**
     * The next token.
     *
     * @param logits at least {@code vocabSize} float32 logits, native byte order; only read
     * @return a token id in {@code [0, vocabSize)}
     * @throws IllegalArgumentException if the segment holds fewer than {@code vocabSize} floats
     * @throws IllegalStateException    if every logit is -infinity or NaN after bias and penalties
     *                                  (for example every token is banned): nothing can be drawn
     */
    public int sample(MemorySegment logits) {
        MemorySegment x = prepare(logits);
        if (params.isGreedy()) {
            return argmax(x);
        }
        keep(x);
        double target = random.nextDouble() * total;
        if (dense) {
            return drawDense(target);
        }
        return candidates.ids[kernels.searchCumulative(candidates.weights, candidates.size, target)];
    }

    /**
     * Records a token of the sequence (generated or from the prompt) for the penalties.
     *
     * @throws IllegalArgumentException if {@code token} is outside {@code [0, vocabSize)}
     */
    public void accept(int token) {
        if (token < 0 || token >= vocabSize) {
            throw new IllegalArgumentException("token id " + token + " is outside the vocabulary [0, " + vocabSize + ")");
        }
        if (history != null) {
            history.accept(token);
        }
    }

    /** Forgets the accepted tokens and restarts the random stream from the seed. */
    public void reset() {
        lastMax = Float.NaN;
        if (history != null) {
            history.clear();
        }
        random.reseed(params.seed());
    }

    /**
     * The tokens the next {@link #sample} could return with their probabilities, in increasing id
     * order; returns how many. Uses no randomness and changes nothing that decides a later result
     * (only top-p's guess of the maximum). For tests and inspection.
     */
    int candidates(MemorySegment logits, int[] outIds, float[] outProbs) {
        MemorySegment x = prepare(logits);
        if (params.isGreedy()) {
            outIds[0] = argmax(x);
            outProbs[0] = 1f;
            return 1;
        }
        keep(x);
        if (dense) {
            kernels.expInto(denseLogits, 0, vocabSize, denseMax, scale(), denseThreshold, candidates.weights);
            denseLogits = null;
        }
        int count = 0;
        for (int i = 0; i < (dense ? vocabSize : candidates.size); i++) {
            if (!dense || candidates.weights[i] > 0f) {
                outIds[count] = dense ? i : candidates.ids[i];
                outProbs[count++] = (float) (candidates.weights[i] / total);
            }
        }
        return count;
    }

    /** How many top-p cuts were made over the whole vocabulary by id ({@link DenseTopP}); for tests. */
    long denseCuts() {
        return denseCuts;
    }

    /** The logits with bias and penalties applied: the caller's segment, or the private copy. */
    private MemorySegment prepare(MemorySegment logits) {
        long bytes = (long) vocabSize * Float.BYTES;
        if (logits.byteSize() < bytes) {
            throw new IllegalArgumentException("logits segment holds " + logits.byteSize() + " bytes, but a vocabulary of "
                    + vocabSize + " tokens needs " + bytes + " (float32 each)");
        }
        boolean penalize = history != null && history.distinctCount() > 0;
        if (biasIds.length == 0 && !penalize) {
            return logits;
        }
        MemorySegment.copy(logits, 0, copy, 0, bytes);
        kernels.addAt(copy, biasIds, biasValues, biasIds.length);
        if (penalize) {
            kernels.penalize(copy, history.distinct(), history.distinctCount(), history.counts(),
                    params.repeatPenalty(), params.frequencyPenalty(), params.presencePenalty());
        }
        return copy;
    }

    private int argmax(MemorySegment x) {
        int best = kernels.argmax(x, vocabSize);
        if (best < 0 || x.getAtIndex(LogitKernels.LOGIT, best) == Float.NEGATIVE_INFINITY) {
            throw nothingToSample();
        }
        return best;
    }

    /** Top-k as an effective count: 0 when off or when it keeps the whole vocabulary. */
    private int topK() {
        int k = params.topK();
        return k > 0 && k < vocabSize ? k : 0;
    }

    /**
     * Fills {@link #candidates} (or, {@link #dense}, the weights by id) with what the draw chooses
     * among, weighted at the temperature, and sets {@link #total}.
     */
    private void keep(MemorySegment x) {
        dense = false;
        int k = topK();
        if (denseTopP != null && !flatTopP && topPFromLastMax(x)) {
            return;
        }
        float max = k > 0 ? kernels.blockMax(x, vocabSize, blockMax) : kernels.max(x, vocabSize);
        lastMax = max;
        if (max == Float.NEGATIVE_INFINITY) {
            throw nothingToSample();
        }
        if (max == Float.POSITIVE_INFINITY) {
            keepInfinite(x, k);
        } else if (k > 0) {
            keepTopK(x, k, max);
        } else if (params.topP() < 1f) {
            keepTopP(x, max);
        } else {
            keepAboveFloor(x, max);
        }
    }

    /** Weights are {@code exp((logit - max) * scale)}; below MIN_NORMAL, 1/t would overflow. */
    private float scale() {
        return 1f / Math.max(params.temperature(), Float.MIN_NORMAL);
    }

    /** Min-p's threshold on logits, or -infinity when min-p is off. */
    private float minPFloor(float max) {
        return params.minP() > 0f ? max + (float) Math.log(params.minP()) : Float.NEGATIVE_INFINITY;
    }

    /**
     * Where negligible weight starts. With top-p, {@code band} below the max: top-p weighs at
     * temperature 1, and a token further down weighs too little there to be inside any top-p set
     * with {@code p < 1}, whatever the temperature of the draw. Without, {@code band * temperature}.
     */
    private float floor(float max, boolean topP) {
        return max - band * (topP ? 1f : params.temperature());
    }

    /** The softmax's limit when some logits are +infinity: those tokens share it equally. */
    private void keepInfinite(MemorySegment x, int k) {
        candidates.gather(x, vocabSize, Float.POSITIVE_INFINITY);
        candidates.flatten();
        cut(k, params.topP() < 1f, Float.NEGATIVE_INFINITY, 0f, 0f);
        total = candidates.weigh(0f, scale());
    }

    private void keepTopK(MemorySegment x, int k, float max) {
        boolean topP = params.topP() < 1f;
        float minPFloor = minPFloor(max);
        float kth = k <= blockMax.length
                ? Candidates.threshold(kernels, blockMax, null, blockMax.length, k, Float.NEGATIVE_INFINITY, max)
                : Float.NEGATIVE_INFINITY;
        // At least k tokens reach the k-th largest block maximum, so the top k lie at or above it.
        float threshold = Math.max(floor(max, topP), kth);
        if (!topP) {
            threshold = Math.max(threshold, minPFloor); // with top-p, min-p must wait for top-p's denominator
        }
        candidates.gatherBlocks(x, vocabSize, blockMax, threshold);
        cut(k, topP, minPFloor, threshold, max);
        total = candidates.weigh(max, scale());
    }

    private void keepTopP(MemorySegment x, float max) {
        if (flatTopP || !topPWithoutTopK(x, max, floor(max, true), minPFloor(max), Float.NaN, Double.NaN)) {
            keepTopPDense(x, max);
            return;
        }
        total = candidates.weigh(max, scale());
    }

    /**
     * Top-p without top-k or min-p over the whole vocabulary ({@link DenseTopP}), then the draw over
     * what it keeps by id (as {@link #keepDense}). Where the cut splits tokens tied at its boundary
     * (rare), the kept tokens are gathered instead.
     */
    private void keepTopPDense(MemorySegment x, float max) {
        DenseTopP cut = denseTopP;
        cut.cut(x, max, floor(max, true), params.topP());
        denseCuts++;
        flatTopP = cut.kept > sparseLimit;
        float b = cut.boundary;
        if (cut.lastTie == Integer.MAX_VALUE || cut.lastTie < 0) {
            float threshold = cut.lastTie < 0 ? Math.nextUp(b) : b; // every tie at b kept, or none
            keepDense(x, max, threshold, kernels.expSum(x, vocabSize, max, scale(), threshold, chunkSums));
        } else {
            candidates.gather(x, vocabSize, b);
            candidates.size = kernels.keepRanked(candidates.ids, candidates.vals, candidates.weights, candidates.size, b,
                    cut.lastTie);
            total = candidates.weigh(max, scale());
        }
    }

    /**
     * Top-p without top-k or min-p, without a pass for the maximum: the previous token's maximum
     * {@code g} stands in for it in the one exp pass (the sum and the gather of everything
     * {@code >= g - 8}), and the true maximum {@code M} is the largest gathered logit: every logit
     * above {@code g - 8} is gathered, so none beats it. Taken only when that holds and
     * {@code g - 2 <= M <= g + 12}: then the gathered band lies within top-p's negligible floor,
     * nothing could overflow, and what the sum counts or leaves out against an exact pass (logits
     * within {@code band} of {@code g} rather than of {@code M}) weighs under {@code e^-18} of the
     * total. Otherwise returns false, having read the logits once for nothing, and the exact path
     * runs; the result never depends on the guess.
     */
    private boolean topPFromLastMax(MemorySegment x) {
        float g = lastMax;
        if (!Float.isFinite(g)) {
            return false;
        }
        float bandFloor = g - TOP_P_FIRST_BAND;
        int count = kernels.gatherExpSum(x, vocabSize, g, 1f, g - band, bandFloor, candidates.ids, candidates.vals, sum);
        double zg = sum[0];
        if (count == 0 || !(zg < 1e30)) {
            return false; // nothing near the guess, or a logit far above it (the sum overflowed or is NaN)
        }
        if (count > sparseLimit) {
            flatTopP = true; // too many to cut one by one: the exact path cuts over the whole vocabulary
            return false;
        }
        float m = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < count; i++) {
            m = Math.max(m, candidates.vals[i]);
        }
        if (!(m >= g - 2f && m <= g + 12f)) {
            lastMax = m; // a better guess for the next token
            return false;
        }
        lastMax = m;
        candidates.size = count;
        if (topPWithoutTopK(x, m, floor(m, true), Float.NEGATIVE_INFINITY, bandFloor, zg * Math.exp((double) g - m))) {
            total = candidates.weigh(m, scale());
        } else {
            keepTopPDense(x, m);
        }
        return true;
    }

    /** No top-k or top-p: everything above min-p's threshold and the negligible band. */
    private void keepAboveFloor(MemorySegment x, float max) {
        float threshold = Math.max(floor(max, false), minPFloor(max));
        if (gatherSparse(x, threshold)) {
            total = candidates.weigh(max, scale());
        } else {
            keepDense(x, max, threshold, kernels.expSum(x, vocabSize, max, scale(), threshold, chunkSums));
        }
    }

    /** The draw is over every token at or above the threshold, by id; {@link #chunkSums} is filled. */
    private void keepDense(MemorySegment x, float max, float threshold, double z) {
        dense = true;
        denseLogits = x;
        denseMax = max;
        denseThreshold = threshold;
        total = z;
    }

    /**
     * The dense draw: the chunk whose running sum crosses the target, then the token within it;
     * only that chunk's weights are computed. Where rounding leaves no crossing, the last chunk
     * with weight, then its last token with weight.
     */
    private int drawDense(double target) {
        MemorySegment x = denseLogits;
        denseLogits = null;
        double cum = 0;
        double before = 0; // the running sum before chunk c
        int c = -1;
        for (int j = 0; j < chunkSums.length; j++) {
            if (chunkSums[j] > 0f) {
                c = j;
                before = cum;
                if (cum + chunkSums[j] > target) {
                    break;
                }
                cum += chunkSums[j];
            }
        }
        cum = before;
        if (c >= 0) {
            int from = c * LogitKernels.SUM_CHUNK;
            int to = Math.min(vocabSize, from + LogitKernels.SUM_CHUNK);
            float[] w = candidates.weights;
            kernels.expInto(x, from, to, denseMax, scale(), denseThreshold, w);
            int last = -1;
            for (int i = from; i < to; i++) {
                if (w[i] > 0f) {
                    last = i;
                    cum += w[i];
                    if (cum > target) {
                        return i;
                    }
                }
            }
            if (last >= 0) {
                return last;
            }
        }
        // Not reached unless rounding put the whole weight in tokens the exact weights make 0: the best one.
        return kernels.argmax(x, vocabSize);
    }

    /**
     * Gathers the tokens at or above the threshold unless they are many (more than
     * {@link #sparseLimit}, or more than 1 in 16 of those seen so far); then returns false, usually
     * after one step, and the whole vocabulary is cheaper to weigh by id.
     */
    private boolean gatherSparse(MemorySegment x, float threshold) {
        int count = 0;
        for (int from = 0; from < vocabSize; from += SPARSE_STEP) {
            int to = Math.min(vocabSize, from + SPARSE_STEP);
            count = kernels.gatherAtLeast(x, from, to, threshold, candidates.ids, candidates.vals, count);
            if (count > sparseLimit || (count > 256 && count > to / 16)) {
                return false;
            }
        }
        candidates.size = count;
        return true;
    }

    /** Top-k, top-p and min-p on gathered candidates whose logits lie in {@code [low, max]}. */
    private void cut(int k, boolean topP, float minPFloor, float low, float max) {
        if (k > 0) {
            candidates.keepBest(k, low, max);
        }
        if (topP) {
            double mass = candidates.weigh(max, 1f);
            candidates.keepMass(params.topP() * mass, low, max);
        }
        if (minPFloor > low) {
            candidates.keepAtLeast(minPFloor);
        }
    }

    /**
     * Top-p's denominator {@code z} is the whole vocabulary's mass here: given with the first band
     * ({@code gathered}: the candidates hold every logit at or above it), or one exp pass, in which
     * the first band is gathered too unless min-p binds there. Gathers a band below the max (8, then
     * 32, then everything above the floor) until it holds top-p's share and cuts within it; min-p,
     * where it binds first, is the smaller prefix and ends the search. Returns false, having cut
     * nothing, when a band holds more than {@link #sparseLimit} tokens and {@link #denseTopP} can
     * cut instead (then {@link #flatTopP} is set).
     */
    private boolean topPWithoutTopK(MemorySegment x, float max, float floor, float minPFloor, float gathered, double givenZ) {
        double p = params.topP();
        double z = givenZ;
        for (float width = TOP_P_FIRST_BAND; ; width *= 4f) {
            boolean given = width == TOP_P_FIRST_BAND && !Float.isNaN(gathered);
            float threshold = given ? gathered : Math.max(minPFloor, width < band ? Math.max(floor, max - width) : floor);
            boolean minPBinds = threshold == minPFloor;
            if (!given) { // given: the candidates already hold every logit >= threshold, and z is known
                if (Double.isNaN(z) && !minPBinds) {
                    candidates.size = kernels.gatherExpSum(x, vocabSize, max, 1f, floor, threshold, candidates.ids,
                            candidates.vals, sum);
                    z = sum[0];
                } else {
                    candidates.gather(x, vocabSize, threshold);
                }
                if (denseTopP != null && candidates.size > sparseLimit) {
                    flatTopP = true;
                    return false;
                }
            }
            double mass = candidates.weigh(max, 1f);
            if (minPBinds && Double.isNaN(z) && candidates.massNeedsAll(mass, p * mass)) {
                return true; // top-p's target p*z >= p*mass keeps all of min-p's set too: no need for z
            }
            if (Double.isNaN(z)) {
                z = kernels.expSum(x, vocabSize, max, 1f, floor, null);
            }
            double target = p * z;
            if (mass >= target) {
                candidates.keepMass(target, threshold, max);
                return true;
            }
            if (minPBinds || threshold <= floor) {
                return true; // min-p's set lies inside top-p's; or the band is exhausted (short only by rounding)
            }
        }
    }

    private static IllegalStateException nothingToSample() {
        return new IllegalStateException("no token can be sampled: every logit is -infinity or NaN after logit bias and "
                + "penalties (for example every token is banned); check the logit_bias and the model's output");
    }
}
