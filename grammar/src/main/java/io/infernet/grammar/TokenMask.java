package io.infernet.grammar;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Token masks as bitsets ({@code long[]}, bit {@code t & 63} of word {@code t >>> 6} set when token
 * {@code t} is allowed) and applying them to logits: every disallowed logit becomes -infinity, so
 * no later step (logit bias, penalties, temperature, top-k/p, the draw) can pick it. Stateless.
 */
public final class TokenMask {
    private static final ValueLayout.OfFloat LOGIT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    private static final VectorSpecies<Float> SPECIES = Boolean.getBoolean("infernet.scalar")
            ? FloatVector.SPECIES_64 : FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    private static final FloatVector NEG_INF = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);

    private TokenMask() {}

    /** A mask for {@code vocabSize} tokens, nothing allowed. */
    public static long[] allocate(int vocabSize) {
        return new long[Vocabulary.words(vocabSize)];
    }

    public static boolean isAllowed(long[] mask, int token) {
        return (mask[token >>> 6] & (1L << token)) != 0;
    }

    public static void allow(long[] mask, int token) {
        mask[token >>> 6] |= 1L << token;
    }

    /** Allows every token of a vocabulary of {@code vocabSize}. */
    public static void allowAll(long[] mask, int vocabSize) {
        int full = vocabSize >>> 6;
        java.util.Arrays.fill(mask, 0, full, -1L);
        if ((vocabSize & 63) != 0) {
            mask[full] = (1L << (vocabSize & 63)) - 1;
        }
        java.util.Arrays.fill(mask, Math.min(mask.length, full + ((vocabSize & 63) != 0 ? 1 : 0)), mask.length, 0L);
    }

    /** Number of allowed tokens. */
    public static int count(long[] mask) {
        int n = 0;
        for (long w : mask) {
            n += Long.bitCount(w);
        }
        return n;
    }

    /** Sets {@code logits[t] = -inf} for every token {@code t < vocabSize} the mask does not allow. */
    public static void apply(float[] logits, long[] mask, int vocabSize) {
        check(logits.length, mask, vocabSize);
        apply(MemorySegment.ofArray(logits), mask, vocabSize);
    }

    /**
     * Sets every disallowed logit of a row of {@code vocabSize} float32 values in native byte order
     * (llama.cpp's logits row) to -infinity, in place.
     */
    public static void apply(MemorySegment logits, long[] mask, int vocabSize) {
        check(logits.byteSize() / Float.BYTES, mask, vocabSize);
        int words = vocabSize >>> 6;
        for (int w = 0; w < words; w++) {
            long bits = mask[w];
            if (bits == -1L) {
                continue;
            }
            long base = (long) w << 8; // 64 floats of 4 bytes
            if (bits == 0L) {
                for (int j = 0; j < 64; j += LANES) {
                    NEG_INF.intoMemorySegment(logits, base + (long) j * Float.BYTES, ByteOrder.nativeOrder());
                }
                continue;
            }
            for (int j = 0; j < 64; j += LANES) {
                long lanes = (~bits >>> j) & laneBits();
                if (lanes != 0) {
                    long off = base + (long) j * Float.BYTES;
                    FloatVector v = FloatVector.fromMemorySegment(SPECIES, logits, off, ByteOrder.nativeOrder());
                    v.blend(NEG_INF, VectorMask.fromLong(SPECIES, lanes)).intoMemorySegment(logits, off, ByteOrder.nativeOrder());
                }
            }
        }
        for (int t = words << 6; t < vocabSize; t++) {
            if ((mask[t >>> 6] & (1L << t)) == 0) {
                logits.setAtIndex(LOGIT, t, Float.NEGATIVE_INFINITY);
            }
        }
    }

    private static long laneBits() {
        return LANES == 64 ? -1L : (1L << LANES) - 1;
    }

    private static void check(long floats, long[] mask, int vocabSize) {
        if (floats < vocabSize) {
            throw new IllegalArgumentException("logits hold " + floats + " values but the vocabulary has " + vocabSize + " tokens");
        }
        if ((long) mask.length * 64 < vocabSize) {
            throw new IllegalArgumentException("mask has " + mask.length + " words; " + vocabSize + " tokens need " + Vocabulary.words(vocabSize));
        }
    }
}
