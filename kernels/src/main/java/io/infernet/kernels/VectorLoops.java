package io.infernet.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteOrder;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API loops behind {@link VectorKernels} (contracts in {@link LogitKernels}): vector
 * body over whole vectors, scalar tail for the rest. There is no alignment head: on this
 * project's reference machine (AMD EPYC, AVX-512) a max pass over a segment 4 bytes off a
 * 64-byte boundary ran as fast as over an aligned one.
 *
 * <p>Loops whose every step depends on the previous one (max, argmax, sums) keep several
 * independent accumulators so the body is not bound by one chain's latency. Sums are formed in
 * float lanes over chunks of {@link #CHUNK} elements and the chunks added in double.
 *
 * <p>exp is {@link #exp(FloatVector)}, a Cody-Waite reduction and Cephes' expf polynomial:
 * checked over every float in {@code [-86.5, 0]}, at most 1.26 ulp from the exact value (so within
 * 2 ulp of the scalar reference's rounded {@link Math#exp}), and about 1.7x faster here than
 * {@link VectorOperators#EXP}. Below {@code -86.5} it returns 0 (under {@code 3e-38}).
 *
 * <p>Two rules keep C2 from boxing vectors. Each loop is compiled on its own ({@link VectorKernels}
 * enters it through a handle C2 cannot inline). And no call takes or returns a vector except the
 * exp polynomial, called only from the body of hot loops. A call C2 leaves out of line boxes its
 * vectors and runs the Vector API's Java fallback (measured: ~11 KB allocated and 2-5x the time per
 * token), and C2 does leave small helpers out of line at sites its profile calls cold, such as the
 * merge after a loop, once the helper has been compiled on its own. So merges are written out,
 * remainders of fewer elements than the unrolled body go to scalar code, and the rare append of
 * {@code gatherAtLeast} is a call with scalar arguments.
 */
final class VectorLoops {

    /** Chosen once: the widest float vector this CPU runs well (16 lanes with AVX-512). */
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> INDEX = SPECIES.withLanes(int.class);
    private static final int L = SPECIES.length();
    private static final int L2 = 2 * L;
    private static final int L4 = 4 * L;
    private static final IntVector IOTA = IntVector.zero(INDEX).addIndex(1);
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final float NEG = Float.NEGATIVE_INFINITY;
    /** Elements summed in float lanes before the partial sum moves to a double; a multiple of 2 vectors. */
    private static final int CHUNK = 1024;

    // exp: x = n ln2 + r (Cody-Waite, C1 + C2 = ln2), e^r by Cephes' expf polynomial, 2^n into the exponent bits.
    static final float LOG2E = 1.44269504088896341f;
    /** 1.5 * 2^23: adding it rounds to an integer and leaves that integer in the low mantissa bits. */
    private static final float ROUND = 12582912f;
    private static final FloatVector MINUS_C1 = FloatVector.broadcast(SPECIES, -0.693359375f);
    private static final FloatVector MINUS_C2 = FloatVector.broadcast(SPECIES, 2.12194440e-4f);
    private static final float P0 = 1.9875691500e-4f;
    private static final float P1 = 1.3981999507e-3f;
    private static final FloatVector P2 = FloatVector.broadcast(SPECIES, 8.3334519073e-3f);
    private static final FloatVector P3 = FloatVector.broadcast(SPECIES, 4.1665795894e-2f);
    private static final FloatVector P4 = FloatVector.broadcast(SPECIES, 1.6666665459e-1f);
    private static final FloatVector P5 = FloatVector.broadcast(SPECIES, 5.0000001201e-1f);
    /** The bits of 127f: gatherExpSum's cap on exp2Sum's argument (for t >= 0 and +infinity, float order is int order). */
    private static final IntVector T_MAX_BITS = IntVector.broadcast(INDEX, Float.floatToRawIntBits(127f));
    // exp2Sum's polynomial for 2^f on [-0.5, 0.5].
    private static final float E5 = 0.001327645848505199f;
    private static final float E4 = 0.009675541892647743f;
    private static final FloatVector E3 = FloatVector.broadcast(SPECIES, 0.05550713464617729f);
    private static final FloatVector E2 = FloatVector.broadcast(SPECIES, 0.24022120237350464f);
    private static final FloatVector E1 = FloatVector.broadcast(SPECIES, 0.6931469440460205f);
    private static final FloatVector E0 = FloatVector.broadcast(SPECIES, 1.0000001192092896f);
    // Not final on purpose: a constant handle would be inlined (see gatherChunk).
    private static MethodHandle gatherChunk;

    static {
        try {
            gatherChunk = MethodHandles.lookup().findStatic(VectorLoops.class, "gatherAtLeast", MethodType.methodType(int.class,
                    MemorySegment.class, int.class, int.class, float.class, int[].class, float[].class, int.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Below this the result would be subnormal; 0 is returned instead. */
    private static final float EXP_FLOOR = -86.5f;

    private VectorLoops() {
    }

    private static long at(int i) {
        return (long) i * Float.BYTES;
    }

    static float max(MemorySegment x, int from, int to) {
        int i = from;
        float best = NEG;
        if (to - from >= L4) {
            // Per lane a NaN-skipping max: b replaces a only where b > a (never for NaN).
            FloatVector a0 = FloatVector.broadcast(SPECIES, NEG), a1 = a0, a2 = a0, a3 = a0;
            for (; i <= to - L4; i += L4) {
                FloatVector v0 = FloatVector.fromMemorySegment(SPECIES, x, at(i), ORDER);
                FloatVector v1 = FloatVector.fromMemorySegment(SPECIES, x, at(i + L), ORDER);
                FloatVector v2 = FloatVector.fromMemorySegment(SPECIES, x, at(i + 2 * L), ORDER);
                FloatVector v3 = FloatVector.fromMemorySegment(SPECIES, x, at(i + 3 * L), ORDER);
                a0 = a0.blend(v0, v0.compare(VectorOperators.GT, a0));
                a1 = a1.blend(v1, v1.compare(VectorOperators.GT, a1));
                a2 = a2.blend(v2, v2.compare(VectorOperators.GT, a2));
                a3 = a3.blend(v3, v3.compare(VectorOperators.GT, a3));
            }
            a0 = a0.blend(a1, a1.compare(VectorOperators.GT, a0));
            a2 = a2.blend(a3, a3.compare(VectorOperators.GT, a2));
            best = a0.blend(a2, a2.compare(VectorOperators.GT, a0)).reduceLanes(VectorOperators.MAX); // no NaN left
        }
        for (; i < to; i++) {
            float v = x.getAtIndex(LogitKernels.LOGIT, i);
            if (v > best) {
                best = v;
            }
        }
        return best;
    }

    static int argmax(MemorySegment x, int n) {
        int i = 0;
        float best = NEG;
        int index = -1;
        if (n >= L4) {
            // Per lane: the first maximum seen (strict >) and its index; -1 while a lane saw no number above -inf.
            FloatVector b0 = FloatVector.broadcast(SPECIES, NEG), b1 = b0, b2 = b0, b3 = b0;
            IntVector i0 = IntVector.broadcast(INDEX, -1), i1 = i0, i2 = i0, i3 = i0;
            for (; i <= n - L4; i += L4) {
                FloatVector v0 = FloatVector.fromMemorySegment(SPECIES, x, at(i), ORDER);
                FloatVector v1 = FloatVector.fromMemorySegment(SPECIES, x, at(i + L), ORDER);
                FloatVector v2 = FloatVector.fromMemorySegment(SPECIES, x, at(i + 2 * L), ORDER);
                FloatVector v3 = FloatVector.fromMemorySegment(SPECIES, x, at(i + 3 * L), ORDER);
                VectorMask<Float> m0 = v0.compare(VectorOperators.GT, b0);
                VectorMask<Float> m1 = v1.compare(VectorOperators.GT, b1);
                VectorMask<Float> m2 = v2.compare(VectorOperators.GT, b2);
                VectorMask<Float> m3 = v3.compare(VectorOperators.GT, b3);
                b0 = b0.blend(v0, m0);
                b1 = b1.blend(v1, m1);
                b2 = b2.blend(v2, m2);
                b3 = b3.blend(v3, m3);
                i0 = i0.blend(IOTA.add(i), m0.cast(INDEX));
                i1 = i1.blend(IOTA.add(i + L), m1.cast(INDEX));
                i2 = i2.blend(IOTA.add(i + 2 * L), m2.cast(INDEX));
                i3 = i3.blend(IOTA.add(i + 3 * L), m3.cast(INDEX));
            }
            // Merge lane by lane: (b, i) takes the other where it is larger, or equal at a lower index.
            VectorMask<Float> t = b1.compare(VectorOperators.GT, b0)
                    .or(b1.compare(VectorOperators.EQ, b0).and(i1.compare(VectorOperators.LT, i0).cast(SPECIES)));
            b0 = b0.blend(b1, t);
            i0 = i0.blend(i1, t.cast(INDEX));
            t = b3.compare(VectorOperators.GT, b2)
                    .or(b3.compare(VectorOperators.EQ, b2).and(i3.compare(VectorOperators.LT, i2).cast(SPECIES)));
            b2 = b2.blend(b3, t);
            i2 = i2.blend(i3, t.cast(INDEX));
            t = b2.compare(VectorOperators.GT, b0)
                    .or(b2.compare(VectorOperators.EQ, b0).and(i2.compare(VectorOperators.LT, i0).cast(SPECIES)));
            b0 = b0.blend(b2, t);
            i0 = i0.blend(i2, t.cast(INDEX));
            best = b0.reduceLanes(VectorOperators.MAX); // no NaN in b0
            index = i0.blend(Integer.MAX_VALUE, b0.compare(VectorOperators.NE, best).cast(INDEX))
                    .reduceLanes(VectorOperators.MIN);
        }
        for (; i < n; i++) {
            float v = x.getAtIndex(LogitKernels.LOGIT, i);
            if (v > best) {
                best = v;
                index = i;
            }
        }
        if (index < 0) {
            // Nothing above -infinity: the first -infinity, if any (the rest are NaN).
            for (i = 0; i < n; i++) {
                if (x.getAtIndex(LogitKernels.LOGIT, i) == NEG) {
                    return i;
                }
            }
        }
        return index;
    }

    static float blockMax(MemorySegment x, int n, float[] out) {
        float all = NEG;
        int b = 0;
        int from = 0;
        if (LogitKernels.BLOCK % L4 == 0) {
            FloatVector neg = FloatVector.broadcast(SPECIES, NEG);
            for (; from + LogitKernels.BLOCK <= n; from += LogitKernels.BLOCK, b++) {
                FloatVector a0 = neg, a1 = neg, a2 = neg, a3 = neg;
                for (int i = from; i < from + LogitKernels.BLOCK; i += L4) {
                    FloatVector v0 = FloatVector.fromMemorySegment(SPECIES, x, at(i), ORDER);
                    FloatVector v1 = FloatVector.fromMemorySegment(SPECIES, x, at(i + L), ORDER);
                    FloatVector v2 = FloatVector.fromMemorySegment(SPECIES, x, at(i + 2 * L), ORDER);
                    FloatVector v3 = FloatVector.fromMemorySegment(SPECIES, x, at(i + 3 * L), ORDER);
                    a0 = a0.blend(v0, v0.compare(VectorOperators.GT, a0));
                    a1 = a1.blend(v1, v1.compare(VectorOperators.GT, a1));
                    a2 = a2.blend(v2, v2.compare(VectorOperators.GT, a2));
                    a3 = a3.blend(v3, v3.compare(VectorOperators.GT, a3));
                }
                a0 = a0.blend(a1, a1.compare(VectorOperators.GT, a0));
                a2 = a2.blend(a3, a3.compare(VectorOperators.GT, a2));
                float best = a0.blend(a2, a2.compare(VectorOperators.GT, a0)).reduceLanes(VectorOperators.MAX);
                out[b] = best;
                if (best > all) {
                    all = best;
                }
            }
        }
        for (; from < n; from += LogitKernels.BLOCK, b++) {
            float best = max(x, from, Math.min(n, from + LogitKernels.BLOCK));
            out[b] = best;
            if (best > all) {
                all = best;
            }
        }
        return all;
    }

    static int gatherAtLeast(MemorySegment x, int from, int to, float threshold, int[] ids, float[] vals, int count) {
        int i = from;
        for (; i <= to - L4; i += L4) {
            // Usually nothing passes (thresholds sit near the max): test four vectors, append rarely.
            VectorMask<Float> any = FloatVector.fromMemorySegment(SPECIES, x, at(i), ORDER).compare(VectorOperators.GE, threshold)
                    .or(FloatVector.fromMemorySegment(SPECIES, x, at(i + L), ORDER).compare(VectorOperators.GE, threshold))
                    .or(FloatVector.fromMemorySegment(SPECIES, x, at(i + 2 * L), ORDER).compare(VectorOperators.GE, threshold))
                    .or(FloatVector.fromMemorySegment(SPECIES, x, at(i + 3 * L), ORDER).compare(VectorOperators.GE, threshold));
            if (any.anyTrue()) {
                count = append(x, i, i + L4, threshold, ids, vals, count);
            }
        }
        int body = to - (to - i) % L;
        count = append(x, i, body, threshold, ids, vals, count);
        for (i = body; i < to; i++) {
            float v = x.getAtIndex(LogitKernels.LOGIT, i);
            if (v >= threshold) {
                ids[count] = i;
                vals[count] = v;
                count++;
            }
        }
        return count;
    }

    static int gatherBlocksAtLeast(MemorySegment x, int n, float[] blockMax, float threshold, int[] ids, float[] vals) {
        int count = 0;
        for (int b = 0, from = 0; from < n; b++, from += LogitKernels.BLOCK) {
            if (blockMax[b] >= threshold) {
                count = gatherAtLeast(x, from, Math.min(n, from + LogitKernels.BLOCK), threshold, ids, vals, count);
            }
        }
        return count;
    }

    /** Appends the elements {@code >= threshold} of the whole vectors in {@code [from, to)}. */
    private static int append(MemorySegment x, int from, int to, float threshold, int[] ids, float[] vals, int count) {
        for (int i = from; i < to; i += L) {
            FloatVector v = FloatVector.fromMemorySegment(SPECIES, x, at(i), ORDER);
            VectorMask<Float> m = v.compare(VectorOperators.GE, threshold);
            if (m.anyTrue()) {
                // Compressed stores write all L lanes; count <= (elements seen) keeps them in bounds.
                v.compress(m).intoArray(vals, count);
                IOTA.add(i).compress(m.cast(INDEX)).intoArray(ids, count);
                count += m.trueCount();
            }
        }
        return count;
    }

    /**
     * {@link LogitKernels#expSum} with {@link #exp2Sum} of {@code (x - max) * scale * log2(e)}.
     * Terms under {@code 2^-125} of the maximum's are left out: the threshold is raised to keep
     * every weighed lane in exp2Sum's range.
     */
    static double expSum(MemorySegment x, int n, float max, float scale, float threshold, float[] chunkSums) {
        float toBase2 = scale * LOG2E;
        threshold = Math.max(threshold, max - 125f / toBase2);
        FloatVector zero = FloatVector.zero(SPECIES);
        double total = 0;
        int body = n - n % L2;
        int i = 0;
        while (i < body) {
            int chunk = i / LogitKernels.SUM_CHUNK;
            int end = Math.min(body, (chunk + 1) * LogitKernels.SUM_CHUNK);
            FloatVector a0 = zero, a1 = zero;
            for (; i < end; i += L2) {
                FloatVector v0 = FloatVector.fromMemorySegment(SPECIES, x, at(i), ORDER);
                FloatVector v1 = FloatVector.fromMemorySegment(SPECIES, x, at(i + L), ORDER);
                a0 = a0.add(exp2Sum(v0.sub(max).mul(toBase2)), v0.compare(VectorOperators.GE, threshold));
                a1 = a1.add(exp2Sum(v1.sub(max).mul(toBase2)), v1.compare(VectorOperators.GE, threshold));
            }
            double sum = a0.add(a1).reduceLanes(VectorOperators.ADD);
            if (chunkSums != null) {
                chunkSums[chunk] = (float) sum;
            }
            total += sum;
        }
        if (i < n) {
            double tail = 0;
            for (; i < n; i++) {
                float v = x.getAtIndex(LogitKernels.LOGIT, i);
                if (v >= threshold) {
                    tail += ScalarKernels.exp(v, max, scale);
                }
            }
            if (chunkSums != null) {
                int last = (n - 1) / LogitKernels.SUM_CHUNK;
                // The tail's chunk either began in the vector body or holds only the tail.
                chunkSums[last] = (body > last * LogitKernels.SUM_CHUNK ? chunkSums[last] : 0f) + (float) tail;
            }
            total += tail;
        }
        return total;
    }

    /**
     * {@link #expSum} and, in the same pass, {@link #gatherAtLeast}'s gather, decided per chunk by
     * the chunk's sum (a test and a branch every step cost as much as a gather pass of its own).
     * {@code max} may be a guess below the true maximum (the sampler's top-p does that): a logit
     * more than 88 / scale above it weighs about 1.7e38 instead of its true weight, never less, so
     * the sum shows it and its chunk is gathered.
     */
    static int gatherExpSum(MemorySegment x, int n, float max, float scale, float threshold, float gatherThreshold,
            int[] ids, float[] vals, double[] out) {
        float toBase2 = scale * LOG2E;
        threshold = Math.max(threshold, max - 125f / toBase2);
        FloatVector zero = FloatVector.zero(SPECIES);
        double total = 0;
        int count = 0;
        int body = n - n % L;
        int i = 0;
        // A chunk holding an element at or above the gather threshold sums at least that element's
        // weight (every term is >= 0): only such chunks are read again, from L1, and gathered. With
        // the threshold near the maximum that is a handful; the test costs nothing per vector.
        // Below the sum's own threshold the bound says nothing, and every chunk is gathered.
        double bound = gatherThreshold >= threshold ? 0.999 * Math.pow(2, (double) (gatherThreshold - max) * toBase2) : 0;
        while (i < body) {
            int start = i;
            int end = Math.min(body, i + CHUNK);
            // One vector a step, one exp site: with two, this method (exp2Sum, the chunk loop, the
            // gather call) went past C2's inlining budget and boxed every vector.
            FloatVector a = zero;
            for (; i < end; i += L) {
                FloatVector v = FloatVector.fromMemorySegment(SPECIES, x, at(i), ORDER);
                // Capped at 127 by one integer min on the bits (positive floats order as their bits):
                // with a guessed maximum, a logit far above it must weigh hugely, not wrap.
                FloatVector t = v.sub(max).mul(toBase2).reinterpretAsInts().min(T_MAX_BITS).reinterpretAsFloats();
                a = a.add(exp2Sum(t), v.compare(VectorOperators.GE, threshold));
            }
            double sum = a.reduceLanes(VectorOperators.ADD);
            total += sum;
            if (sum >= bound) {
                count = gatherChunk(x, start, end, gatherThreshold, ids, vals, count);
            }
        }
        for (; i < n; i++) {
            float v = x.getAtIndex(LogitKernels.LOGIT, i);
            if (v >= threshold) {
                total += ScalarKernels.exp(v, max, scale);
            }
            if (v >= gatherThreshold) {
                ids[count] = i;
                vals[count] = v;
                count++;
            }
        }
        out[0] = total;
        return count;
    }

    static int gatherBand(MemorySegment x, float[] w, int n, float lo, float hi, int limit, int[] ids, float[] vals,
            float[] weights, double[] out) {
        FloatVector zero = FloatVector.zero(SPECIES);
        FloatVector one = FloatVector.broadcast(SPECIES, 1f);
        // In the band: ordered(v) - ordered(lo) < ordered(hi) - ordered(lo), unsigned. One integer
        // test: combining the two float masks instead cost nearly twice the pass. A bound of 0 is
        // taken as -0.0, which orders below 0.0, so both zeros fall on the side the float compares
        // put them; NaN orders outside every band.
        int from = ordered(lo == 0f ? -0f : lo);
        int width = ordered(hi == 0f ? -0f : hi) - from;
        double above = 0;
        double atLeast = 0;
        double aboveCount = 0;
        int count = 0;
        int body = n - n % L2;
        int i = 0;
        while (i < body) {
            int end = Math.min(body, i + CHUNK);
            FloatVector a0 = zero, a1 = zero, b0 = zero, b1 = zero, c0 = zero, c1 = zero;
            for (; i < end; i += L2) {
                FloatVector v0 = FloatVector.fromMemorySegment(SPECIES, x, at(i), ORDER);
                FloatVector v1 = FloatVector.fromMemorySegment(SPECIES, x, at(i + L), ORDER);
                FloatVector e0 = FloatVector.fromArray(SPECIES, w, i);
                FloatVector e1 = FloatVector.fromArray(SPECIES, w, i + L);
                VectorMask<Float> up0 = v0.compare(VectorOperators.GE, hi);
                VectorMask<Float> up1 = v1.compare(VectorOperators.GE, hi);
                a0 = a0.add(e0, up0);
                a1 = a1.add(e1, up1);
                c0 = c0.add(one, up0);
                c1 = c1.add(one, up1);
                b0 = b0.add(e0, v0.compare(VectorOperators.GE, lo));
                b1 = b1.add(e1, v1.compare(VectorOperators.GE, lo));
                IntVector i0 = v0.reinterpretAsInts();
                IntVector i1 = v1.reinterpretAsInts();
                IntVector o0 = i0.lanewise(VectorOperators.XOR, i0.lanewise(VectorOperators.ASHR, 31).and(0x7fffffff)).sub(from);
                IntVector o1 = i1.lanewise(VectorOperators.XOR, i1.lanewise(VectorOperators.ASHR, 31).and(0x7fffffff)).sub(from);
                if (o0.lanewise(VectorOperators.UMIN, o1).compare(VectorOperators.ULT, width).anyTrue()) {
                    // The band is narrow: few vectors hold any of it. Compressed stores write all L
                    // lanes; count <= i keeps them within n.
                    VectorMask<Float> in0 = o0.compare(VectorOperators.ULT, width).cast(SPECIES);
                    VectorMask<Float> in1 = o1.compare(VectorOperators.ULT, width).cast(SPECIES);
                    if (count <= limit) {
                        v0.compress(in0).intoArray(vals, count);
                        e0.compress(in0).intoArray(weights, count);
                        IOTA.add(i).compress(in0.cast(INDEX)).intoArray(ids, count);
                    }
                    count += in0.trueCount();
                    if (count <= limit) {
                        v1.compress(in1).intoArray(vals, count);
                        e1.compress(in1).intoArray(weights, count);
                        IOTA.add(i + L).compress(in1.cast(INDEX)).intoArray(ids, count);
                    }
                    count += in1.trueCount();
                }
            }
            above += a0.add(a1).reduceLanes(VectorOperators.ADD);
            atLeast += b0.add(b1).reduceLanes(VectorOperators.ADD);
            aboveCount += c0.add(c1).reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            float v = x.getAtIndex(LogitKernels.LOGIT, i);
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

    /** {@link Candidates#ordered} without its -0.0 to 0.0: -0.0 orders just below 0.0, as in gatherBand's lanes. */
    private static int ordered(float f) {
        int bits = Float.floatToRawIntBits(f);
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }

    /**
     * {@link #expSum} at scale 1 with no chunk sums, writing each term to {@code out[i]} (0 below
     * the threshold and for NaN).
     */
    static double expSumInto(MemorySegment x, int n, float max, float threshold, float[] out) {
        threshold = Math.max(threshold, max - 125f / LOG2E);
        FloatVector zero = FloatVector.zero(SPECIES);
        double total = 0;
        int body = n - n % L2;
        int i = 0;
        while (i < body) {
            int end = Math.min(body, i + CHUNK);
            FloatVector a0 = zero, a1 = zero;
            for (; i < end; i += L2) {
                FloatVector v0 = FloatVector.fromMemorySegment(SPECIES, x, at(i), ORDER);
                FloatVector v1 = FloatVector.fromMemorySegment(SPECIES, x, at(i + L), ORDER);
                FloatVector e0 = zero.blend(exp2Sum(v0.sub(max).mul(LOG2E)), v0.compare(VectorOperators.GE, threshold));
                FloatVector e1 = zero.blend(exp2Sum(v1.sub(max).mul(LOG2E)), v1.compare(VectorOperators.GE, threshold));
                e0.intoArray(out, i);
                e1.intoArray(out, i + L);
                a0 = a0.add(e0);
                a1 = a1.add(e1);
            }
            total += a0.add(a1).reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            float v = x.getAtIndex(LogitKernels.LOGIT, i);
            float e = v >= threshold ? ScalarKernels.exp(v, max, 1f) : 0f;
            out[i] = e;
            total += e;
        }
        return total;
    }

    static double expInto(MemorySegment x, int from, int to, float max, float scale, float threshold, float[] out) {
        FloatVector zero = FloatVector.zero(SPECIES);
        double sum = 0;
        int i = from;
        int body = to - (to - from) % L2;
        while (i < body) {
            int end = Math.min(body, i + CHUNK);
            FloatVector a0 = zero, a1 = zero;
            for (; i < end; i += L2) {
                FloatVector v0 = FloatVector.fromMemorySegment(SPECIES, x, at(i), ORDER);
                FloatVector v1 = FloatVector.fromMemorySegment(SPECIES, x, at(i + L), ORDER);
                FloatVector e0 = zero.blend(exp(v0.sub(max).mul(scale)), v0.compare(VectorOperators.GE, threshold));
                FloatVector e1 = zero.blend(exp(v1.sub(max).mul(scale)), v1.compare(VectorOperators.GE, threshold));
                e0.intoArray(out, i);
                e1.intoArray(out, i + L);
                a0 = a0.add(e0);
                a1 = a1.add(e1);
            }
            sum += a0.add(a1).reduceLanes(VectorOperators.ADD);
        }
        for (; i < to; i++) {
            float v = x.getAtIndex(LogitKernels.LOGIT, i);
            float e = v >= threshold ? ScalarKernels.exp(v, max, scale) : 0f;
            out[i] = e;
            sum += e;
        }
        return sum;
    }

    static double exp(float[] vals, int n, float max, float scale, float[] out) {
        FloatVector zero = FloatVector.zero(SPECIES);
        double sum = 0;
        int i = 0;
        int body = n - n % L2;
        while (i < body) {
            int end = Math.min(body, i + CHUNK);
            FloatVector a0 = zero, a1 = zero;
            for (; i < end; i += L2) {
                FloatVector e0 = exp(FloatVector.fromArray(SPECIES, vals, i).sub(max).mul(scale));
                FloatVector e1 = exp(FloatVector.fromArray(SPECIES, vals, i + L).sub(max).mul(scale));
                e0.intoArray(out, i);
                e1.intoArray(out, i + L);
                a0 = a0.add(e0);
                a1 = a1.add(e1);
            }
            sum += a0.add(a1).reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            float e = ScalarKernels.exp(vals[i], max, scale);
            out[i] = e;
            sum += e;
        }
        return sum;
    }

    /**
     * e^x per lane for {@code x <= 88} (the sampler only passes {@code x <= 0}); 0 below -86.5;
     * not for NaN (callers mask NaN lanes out). Called only from hot loop bodies (see the class doc).
     */
    static FloatVector exp(FloatVector x) {
        FloatVector t = x.fma(LOG2E, ROUND);
        FloatVector n = t.sub(ROUND);
        FloatVector r = n.fma(MINUS_C2, n.fma(MINUS_C1, x));
        FloatVector p = r.fma(P0, P1).fma(r, P2).fma(r, P3).fma(r, P4).fma(r, P5);
        FloatVector y = p.fma(r.mul(r), r.add(1f));
        // t's low bits hold n; shifted by 23 they are n << 23 exactly (ROUND's own bits shift out).
        IntVector scale = t.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23);
        return y.reinterpretAsInts().add(scale).reinterpretAsFloats()
                .blend(0f, x.compare(VectorOperators.LT, EXP_FLOOR));
    }

    /**
     * 2^t per lane for {@code t} in {@code [-125, 127]}; other lanes get garbage (above 127 the
     * exponent wraps into a small or negative value), so callers mask or cap them. A degree-5
     * polynomial for {@code 2^f}, {@code f} in {@code [-0.5, 0.5]} (fitted here for relative error:
     * at most 2.4e-7, about 4 ulp), times {@code 2^round(t)} put into the exponent bits. With the
     * base change folded into the caller's scale, {@code t}'s own rounding adds up to a relative
     * 2e-6 on the smallest weights the sampler keeps: for sums (the softmax's denominator), not for
     * single weights, which use {@link #exp(FloatVector)}. 11 vector operations, no clamp (a float
     * min or max costs several instructions in Java's NaN semantics).
     */
    static FloatVector exp2Sum(FloatVector t) {
        FloatVector k = t.add(ROUND);
        FloatVector f = t.sub(k.sub(ROUND));
        FloatVector p = f.fma(E5, E4).fma(f, E3).fma(f, E2).fma(f, E1).fma(f, E0);
        IntVector scale = k.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23);
        return p.reinterpretAsInts().add(scale).reinterpretAsFloats();
    }

    /**
     * {@link #gatherAtLeast} through a handle C2 does not inline: inlined into
     * {@link #gatherExpSum}, it took that method past C2's inlining budget, exp2Sum was left out of
     * line and every vector boxed (SamplerAllocationTest caught it; not on every run).
     */
    private static int gatherChunk(MemorySegment x, int from, int to, float threshold, int[] ids, float[] vals, int count) {
        try {
            return (int) gatherChunk.invokeExact(x, from, to, threshold, ids, vals, count);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t); // gatherAtLeast throws nothing checked
        }
    }

    static int countAtLeast(float[] x, int n, float threshold) {
        int count = 0;
        int i = 0;
        for (; i <= n - L; i += L) {
            count += FloatVector.fromArray(SPECIES, x, i).compare(VectorOperators.GE, threshold).trueCount();
        }
        for (; i < n; i++) {
            if (x[i] >= threshold) {
                count++;
            }
        }
        return count;
    }

    static double sumAtLeast(float[] keys, float[] weights, int n, float threshold) {
        FloatVector zero = FloatVector.zero(SPECIES);
        double sum = 0;
        int i = 0;
        int body = n - n % L2;
        while (i < body) {
            int end = Math.min(body, i + CHUNK);
            FloatVector a0 = zero, a1 = zero;
            for (; i < end; i += L2) {
                a0 = a0.add(FloatVector.fromArray(SPECIES, weights, i),
                        FloatVector.fromArray(SPECIES, keys, i).compare(VectorOperators.GE, threshold));
                a1 = a1.add(FloatVector.fromArray(SPECIES, weights, i + L),
                        FloatVector.fromArray(SPECIES, keys, i + L).compare(VectorOperators.GE, threshold));
            }
            sum += a0.add(a1).reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            if (keys[i] >= threshold) {
                sum += weights[i];
            }
        }
        return sum;
    }

    static int keepRanked(int[] ids, float[] vals, float[] weights, int n, float boundary, int lastTie) {
        int kept = 0;
        int i = 0;
        for (; i <= n - L; i += L) {
            // In place: the stores at kept <= i write below the next vector's loads.
            FloatVector v = FloatVector.fromArray(SPECIES, vals, i);
            IntVector id = IntVector.fromArray(INDEX, ids, i);
            FloatVector e = FloatVector.fromArray(SPECIES, weights, i);
            VectorMask<Float> keep = v.compare(VectorOperators.GT, boundary)
                    .or(v.compare(VectorOperators.EQ, boundary).and(id.compare(VectorOperators.LE, lastTie).cast(SPECIES)));
            v.compress(keep).intoArray(vals, kept);
            e.compress(keep).intoArray(weights, kept);
            id.compress(keep.cast(INDEX)).intoArray(ids, kept);
            kept += keep.trueCount();
        }
        for (; i < n; i++) {
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

    static int searchCumulative(float[] weights, int n, double target) {
        // Skip whole groups of 4 vectors while the running sum stays at or below the target,
        // then walk element by element (ScalarKernels' walk) from the group that crosses it.
        double cum = 0;
        int i = 0;
        for (; i <= n - L4; i += L4) {
            double group = FloatVector.fromArray(SPECIES, weights, i)
                    .add(FloatVector.fromArray(SPECIES, weights, i + L))
                    .add(FloatVector.fromArray(SPECIES, weights, i + 2 * L))
                    .add(FloatVector.fromArray(SPECIES, weights, i + 3 * L))
                    .reduceLanes(VectorOperators.ADD);
            if (cum + group > target) {
                break;
            }
            cum += group;
        }
        return ScalarKernels.searchCumulative(weights, i, n, cum, target);
    }
}
