package io.infernet.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleBinaryOperator;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Vector API kernels held to the scalar reference on every size and shape of {@link Logits}.
 * Tolerances (stated in {@link LogitKernels}): max, argmax, blockMax, gather and count exact;
 * each exp within 2 ulp; sums within a relative 1e-5.
 */
@Tag("slow")
class LogitKernelsTest {

    private static final LogitKernels SCALAR = LogitKernels.scalar();
    private static final LogitKernels VECTOR = LogitKernels.vector();
    private static final double SUM_TOLERANCE = 1e-5;

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        long seed = 1;
        for (int n : Logits.SIZES) {
            for (Logits.Shape shape : Logits.Shape.values()) {
                cases.add(Arguments.of(n, shape, seed++));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{1} n={0}")
    @MethodSource("cases")
    void maxAndArgmaxAndBlocksAreExact(int n, Logits.Shape shape, long seed) {
        float[] values = Logits.make(shape, n, seed);
        MemorySegment x = Logits.segment(values);

        float max = SCALAR.max(x, n);
        assertEquals(max, VECTOR.max(x, n), 0f, "max");
        int argmax = SCALAR.argmax(x, n);
        assertEquals(argmax, VECTOR.argmax(x, n), "argmax");
        assertEquals(naiveArgmax(values), argmax, "scalar argmax against its definition");

        int blocks = (n + LogitKernels.BLOCK - 1) / LogitKernels.BLOCK;
        float[] scalarBlocks = new float[blocks];
        float[] vectorBlocks = new float[blocks];
        assertEquals(max, SCALAR.blockMax(x, n, scalarBlocks), 0f, "scalar blockMax's overall max");
        assertEquals(max, VECTOR.blockMax(x, n, vectorBlocks), 0f, "vector blockMax's overall max");
        assertArrayEquals(scalarBlocks, vectorBlocks, 0f, "block maxima");
    }

    @ParameterizedTest(name = "{1} n={0}")
    @MethodSource("cases")
    void gatherAndCountAreExact(int n, Logits.Shape shape, long seed) {
        float[] values = Logits.make(shape, n, seed);
        MemorySegment x = Logits.segment(values);
        float max = SCALAR.max(x, n);
        for (float threshold : thresholds(max)) {
            // The whole range, then a range starting and ending off any vector boundary, appended after 3.
            int from = Math.min(n, 5);
            int to = Math.max(from, n - 3);
            for (int[] range : new int[][] {{0, n, 0}, {from, to, Math.min(3, from)}}) {
                int[] scalarIds = new int[n + 8];
                float[] scalarVals = new float[n + 8];
                int[] vectorIds = new int[n + 8];
                float[] vectorVals = new float[n + 8];
                int s = SCALAR.gatherAtLeast(x, range[0], range[1], threshold, scalarIds, scalarVals, range[2]);
                int v = VECTOR.gatherAtLeast(x, range[0], range[1], threshold, vectorIds, vectorVals, range[2]);
                assertEquals(s, v, "gathered count at threshold " + threshold);
                for (int i = range[2]; i < s; i++) {
                    assertEquals(scalarIds[i], vectorIds[i], "id " + i);
                    assertEquals(scalarVals[i], vectorVals[i], 0f, "value " + i);
                    assertTrue(values[scalarIds[i]] >= threshold);
                }
            }
            assertEquals(SCALAR.countAtLeast(values, n, threshold), VECTOR.countAtLeast(values, n, threshold),
                    "count at threshold " + threshold);
            // Block-filtered gather: the same candidates as a plain gather, through both kernels.
            float[] blocks = new float[(n + LogitKernels.BLOCK - 1) / LogitKernels.BLOCK];
            SCALAR.blockMax(x, n, blocks);
            int[] plainIds = new int[n];
            int plain = SCALAR.gatherAtLeast(x, 0, n, threshold, plainIds, new float[n], 0);
            for (LogitKernels k : List.of(SCALAR, VECTOR)) {
                int[] blockIds = new int[n];
                assertEquals(plain, k.gatherBlocksAtLeast(x, n, blocks, threshold, blockIds, new float[n]), k.name());
                assertArrayEquals(Arrays.copyOf(plainIds, plain), Arrays.copyOf(blockIds, plain), k.name());
            }
        }
    }

    @ParameterizedTest(name = "{1} n={0}")
    @MethodSource("cases")
    void expAndSumsAgreeWithinTolerance(int n, Logits.Shape shape, long seed) {
        float[] values = Logits.make(shape, n, seed);
        MemorySegment x = Logits.segment(values);
        float max = SCALAR.max(x, n);
        if (!Float.isFinite(max)) {
            return; // exp is only defined relative to a finite maximum; the sampler never asks otherwise
        }
        for (float scale : new float[] {1f, 1f / 0.7f, 1e-3f, 50f}) {
            for (float threshold : new float[] {Float.NEGATIVE_INFINITY, max - 4f, max}) {
                assertClose(SCALAR.expSum(x, n, max, scale, threshold, null), VECTOR.expSum(x, n, max, scale, threshold, null),
                        "expSum");

                float[] scalarOut = new float[n];
                float[] vectorOut = new float[n];
                double s = SCALAR.expInto(x, 0, n, max, scale, threshold, scalarOut);
                double v = VECTOR.expInto(x, 0, n, max, scale, threshold, vectorOut);
                assertClose(s, v, "expInto sum");
                assertWithinUlps(scalarOut, vectorOut, n, "expInto");

                // A range that starts off a vector boundary: only [from, to) is written.
                int from = n / 3 + 1;
                int to = Math.max(from, n - n / 5);
                float[] rangeOut = new float[n];
                Arrays.fill(rangeOut, -1f);
                if (from <= n) {
                    assertClose(SCALAR.expInto(x, from, to, max, scale, threshold, scalarOut),
                            VECTOR.expInto(x, from, to, max, scale, threshold, rangeOut), "expInto range sum");
                    for (int i = 0; i < n; i++) {
                        if (i < from || i >= to) {
                            assertEquals(-1f, rangeOut[i], "expInto wrote outside its range at " + i);
                        }
                    }
                    assertWithinUlps(Arrays.copyOfRange(scalarOut, from, to),
                            Arrays.copyOfRange(rangeOut, from, to), to - from, "expInto range");
                }
            }
            // Candidate arrays: the gathered finite values.
            int[] ids = new int[n];
            float[] vals = new float[n];
            int c = SCALAR.gatherAtLeast(x, 0, n, -Float.MAX_VALUE, ids, vals, 0);
            float[] scalarW = new float[c];
            float[] vectorW = new float[c];
            assertClose(SCALAR.exp(vals, c, max, scale, scalarW), VECTOR.exp(vals, c, max, scale, vectorW), "exp sum");
            assertWithinUlps(scalarW, vectorW, c, "exp");
            for (float threshold : thresholds(max)) {
                assertClose(SCALAR.sumAtLeast(vals, scalarW, c, threshold), VECTOR.sumAtLeast(vals, scalarW, c, threshold),
                        "sumAtLeast " + threshold);
            }
        }
    }

    @ParameterizedTest(name = "{1} n={0}")
    @MethodSource("cases")
    void topPWeightsBandsAndRankedKeepsAgreeWithTheReference(int n, Logits.Shape shape, long seed) {
        float[] values = Logits.make(shape, n, seed);
        MemorySegment x = Logits.segment(values);
        float max = SCALAR.max(x, n);
        if (!Float.isFinite(max)) {
            return; // top-p weighs relative to a finite maximum; the sampler never asks otherwise
        }
        for (float floor : new float[] {Float.NEGATIVE_INFINITY, max - 4f, max}) {
            float[] scalarW = new float[n];
            float[] vectorW = new float[n];
            double z = SCALAR.expSumInto(x, n, max, floor, scalarW);
            assertClose(z, VECTOR.expSumInto(x, n, max, floor, vectorW), "expSumInto sum");
            assertClose(SCALAR.expSum(x, n, max, 1f, floor, null), z, "expSumInto against expSum");
            for (int i = 0; i < n; i++) {
                float e = scalarW[i];
                assertTrue(Math.abs(e - vectorW[i]) <= 2.5e-6 * e || (e < 3e-38f && vectorW[i] == 0f),
                        "expSumInto[" + i + "]: expected " + e + ", got " + vectorW[i]);
                assertTrue(values[i] >= floor || e == 0f, "a weight below the floor at " + i);
            }
            // Bands of every width, gathered or only counted, each checked against its definition too.
            float[][] bands = {{floor, Float.POSITIVE_INFINITY}, {max - 1f, max}, {max - 0.25f, Math.nextUp(max)},
                {max - 3f, max - 2f}, {max, max}};
            for (float[] band : bands) {
                float lo = band[0];
                float hi = band[1];
                int expectedCount = 0;
                int expectedAbove = 0;
                for (float v : values) {
                    expectedCount += v >= lo && v < hi ? 1 : 0;
                    expectedAbove += v >= hi ? 1 : 0;
                }
                for (int limit : new int[] {n, 16}) {
                    int[] sIds = new int[n];
                    float[] sVals = new float[n];
                    float[] sWeights = new float[n];
                    double[] sOut = new double[3];
                    int[] vIds = new int[n];
                    float[] vVals = new float[n];
                    float[] vWeights = new float[n];
                    double[] vOut = new double[3];
                    String where = "band [" + lo + ", " + hi + ") limit " + limit;
                    int count = SCALAR.gatherBand(x, scalarW, n, lo, hi, limit, sIds, sVals, sWeights, sOut);
                    assertEquals(expectedCount, count, where + ": scalar count");
                    assertEquals(count, VECTOR.gatherBand(x, scalarW, n, lo, hi, limit, vIds, vVals, vWeights, vOut),
                            where + ": vector count");
                    assertEquals(expectedAbove, (int) sOut[2], where + ": scalar count above");
                    assertEquals(sOut[2], vOut[2], where + ": vector count above");
                    assertClose(sOut[0], vOut[0], where + ": mass above");
                    assertClose(sOut[1], vOut[1], where + ": mass at or above lo");
                    assertClose(SCALAR.sumAtLeast(values, scalarW, n, hi), sOut[0], where + ": mass above, by definition");
                    if (count <= limit) {
                        assertArrayEquals(Arrays.copyOf(sIds, count), Arrays.copyOf(vIds, count), where + ": ids");
                        assertArrayEquals(Arrays.copyOf(sVals, count), Arrays.copyOf(vVals, count), 0f, where + ": logits");
                        assertArrayEquals(Arrays.copyOf(sWeights, count), Arrays.copyOf(vWeights, count), 0f,
                                where + ": weights");
                        for (int j = 0; j < count; j++) {
                            assertEquals(values[sIds[j]], sVals[j], 0f, where + ": logit of " + sIds[j]);
                            assertTrue(j == 0 || sIds[j - 1] < sIds[j], where + ": ids in increasing order");
                        }
                    }
                }
            }
        }
        // Ranked keeps: every candidate above the cut, ties at it up to an id.
        int[] ids = new int[n];
        float[] vals = new float[n];
        int c = SCALAR.gatherAtLeast(x, 0, n, max - 2f, ids, vals, 0);
        float[] weights = new float[c];
        SCALAR.exp(vals, c, max, 1f, weights);
        for (float boundary : new float[] {max - 2f, max - 1f, max}) {
            for (int lastTie : new int[] {-1, n / 2, Integer.MAX_VALUE}) {
                int[] sIds = Arrays.copyOf(ids, c);
                float[] sVals = Arrays.copyOf(vals, c);
                float[] sWeights = Arrays.copyOf(weights, c);
                int[] vIds = Arrays.copyOf(ids, c);
                float[] vVals = Arrays.copyOf(vals, c);
                float[] vWeights = Arrays.copyOf(weights, c);
                int kept = SCALAR.keepRanked(sIds, sVals, sWeights, c, boundary, lastTie);
                int expected = 0;
                for (int i = 0; i < c; i++) {
                    expected += vals[i] > boundary || (vals[i] == boundary && ids[i] <= lastTie) ? 1 : 0;
                }
                String where = "keepRanked boundary " + boundary + " lastTie " + lastTie;
                assertEquals(expected, kept, where);
                assertEquals(kept, VECTOR.keepRanked(vIds, vVals, vWeights, c, boundary, lastTie), where + ": vector");
                assertArrayEquals(Arrays.copyOf(sIds, kept), Arrays.copyOf(vIds, kept), where + ": ids");
                assertArrayEquals(Arrays.copyOf(sVals, kept), Arrays.copyOf(vVals, kept), 0f, where + ": logits");
                assertArrayEquals(Arrays.copyOf(sWeights, kept), Arrays.copyOf(vWeights, kept), 0f, where + ": weights");
            }
        }
    }

    @ParameterizedTest(name = "{1} n={0}")
    @MethodSource("cases")
    void chunkSumsAndTheFusedGatherAgreeWithTheReference(int n, Logits.Shape shape, long seed) {
        float[] values = Logits.make(shape, n, seed);
        MemorySegment x = Logits.segment(values);
        float max = SCALAR.max(x, n);
        if (!Float.isFinite(max)) {
            return; // the sums are relative to a finite maximum; the sampler never asks otherwise
        }
        int chunks = (n + LogitKernels.SUM_CHUNK - 1) / LogitKernels.SUM_CHUNK;
        for (float scale : new float[] {1f, 1f / 0.7f, 50f}) {
            for (float threshold : new float[] {Float.NEGATIVE_INFINITY, max - 4f}) {
                float[] scalarChunks = new float[chunks];
                float[] vectorChunks = new float[chunks];
                Arrays.fill(vectorChunks, Float.NaN); // every chunk must be written
                double s = SCALAR.expSum(x, n, max, scale, threshold, scalarChunks);
                double v = VECTOR.expSum(x, n, max, scale, threshold, vectorChunks);
                assertClose(s, v, "expSum with chunk sums, scale " + scale);
                double sumOfChunks = 0;
                for (int c = 0; c < chunks; c++) {
                    assertTrue(Math.abs(scalarChunks[c] - vectorChunks[c]) <= 1e-5 * s,
                            "chunk " + c + ": expected " + scalarChunks[c] + ", got " + vectorChunks[c]);
                    sumOfChunks += vectorChunks[c];
                }
                assertClose(v, sumOfChunks, "the chunk sums add up to the total");

                for (float gatherThreshold : new float[] {max - 8f, max, Float.NEGATIVE_INFINITY}) {
                    int[] ids = new int[n];
                    float[] vals = new float[n];
                    int[] expectedIds = new int[n];
                    float[] expectedVals = new float[n];
                    double[] sum = {Double.NaN};
                    int count = VECTOR.gatherExpSum(x, n, max, scale, threshold, gatherThreshold, ids, vals, sum);
                    int expected = SCALAR.gatherAtLeast(x, 0, n, gatherThreshold, expectedIds, expectedVals, 0);
                    assertEquals(expected, count, "gathered count");
                    assertArrayEquals(Arrays.copyOf(expectedIds, expected), Arrays.copyOf(ids, count), "gathered ids");
                    assertArrayEquals(Arrays.copyOf(expectedVals, expected), Arrays.copyOf(vals, count), "gathered values");
                    assertClose(s, sum[0], "gatherExpSum's sum");
                    double[] scalarSum = {Double.NaN};
                    assertEquals(expected, SCALAR.gatherExpSum(x, n, max, scale, threshold, gatherThreshold, ids, vals, scalarSum));
                    assertClose(s, scalarSum[0], "scalar gatherExpSum's sum");
                }
            }
        }
    }

    @ParameterizedTest(name = "{1} n={0}")
    @MethodSource("cases")
    void searchCumulativeFindsTheSameToken(int n, Logits.Shape shape, long seed) {
        float[] values = Logits.make(shape, n, seed);
        MemorySegment x = Logits.segment(values);
        float max = SCALAR.max(x, n);
        if (!Float.isFinite(max)) {
            return;
        }
        float[] w = new float[n];
        double total = SCALAR.expInto(x, 0, n, max, 1f, Float.NEGATIVE_INFINITY, w);
        // Targets in the middle of a token's share of the running sum, for tokens that are not a rounding error.
        double cum = 0;
        var random = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            double target = cum + w[i] / 2;
            cum += w[i];
            if (w[i] > 1e-4 * total && (n < 1000 || random.nextInt(50) == 0)) {
                assertEquals(i, SCALAR.searchCumulative(w, n, target), "scalar, target for token " + i);
                assertEquals(i, VECTOR.searchCumulative(w, n, target), "vector, target for token " + i);
            }
        }
        int lastPositive = -1;
        int firstPositive = -1;
        for (int i = 0; i < n; i++) {
            if (w[i] > 0) {
                lastPositive = i;
                firstPositive = firstPositive < 0 ? i : firstPositive;
            }
        }
        assertEquals(firstPositive, VECTOR.searchCumulative(w, n, 0), "target 0: the first positive weight");
        assertEquals(lastPositive, VECTOR.searchCumulative(w, n, total * 2), "beyond the total: the last positive weight");
        assertEquals(lastPositive, SCALAR.searchCumulative(w, n, total * 2));
    }

    @Test
    void searchCumulativeOfNothingIsMinusOne() {
        float[] zeros = new float[100];
        assertEquals(-1, SCALAR.searchCumulative(zeros, 100, 0));
        assertEquals(-1, VECTOR.searchCumulative(zeros, 100, 0));
        assertEquals(-1, VECTOR.searchCumulative(zeros, 0, 0));
    }

    @Test
    void argmaxOfNothingAndOfOnlyNaN() {
        MemorySegment nan = Logits.segment(new float[] {Float.NaN, Float.NaN, Float.NaN});
        assertEquals(-1, SCALAR.argmax(nan, 3));
        assertEquals(-1, VECTOR.argmax(nan, 3));
        assertEquals(-1, VECTOR.argmax(nan, 0));
        assertEquals(Float.NEGATIVE_INFINITY, VECTOR.max(nan, 3));
        float[] mixed = new float[100];
        Arrays.fill(mixed, Float.NaN);
        mixed[70] = Float.NEGATIVE_INFINITY;
        mixed[90] = Float.NEGATIVE_INFINITY;
        assertEquals(70, SCALAR.argmax(Logits.segment(mixed), 100), "the first -infinity when nothing is larger");
        assertEquals(70, VECTOR.argmax(Logits.segment(mixed), 100));
    }

    @Test
    void vectorExpIsWithinItsStatedErrorOfExactExp() {
        // Every 16th float in [-86.5, 0] plus the edges; exhaustively (every float) the bound is the same.
        double worst = worstError(-86.5f, VectorLoops::exp, (in, out) -> Math.abs(out - Math.exp(in)) / Math.ulp((float) Math.exp(in)));
        assertTrue(worst <= 1.26, "max error " + worst + " ulp");
        int species = VectorLoops.SPECIES.length();
        float[] out = new float[species];
        float[] edges = new float[species];
        edges[0] = Float.NEGATIVE_INFINITY;
        edges[1 % species] = -87f;
        VectorLoops.exp(FloatVector.fromArray(VectorLoops.SPECIES, edges, 0)).intoArray(out, 0);
        assertEquals(0f, out[0], "exp(-infinity)");
        assertEquals(0f, out[1 % species], "below -86.5 the result is 0");
        Arrays.fill(edges, 0f);
        VectorLoops.exp(FloatVector.fromArray(VectorLoops.SPECIES, edges, 0)).intoArray(out, 0);
        assertEquals(1f, out[0], "exp(0) is exactly 1: the max token weighs 1");
    }

    @Test
    void sumExpIsWithinItsStatedErrorOfExactPowerOfTwo() {
        // Every 16th float in [-125, 0]: the relative error of exp2Sum against 2^t in double.
        double worst = worstError(-125f, VectorLoops::exp2Sum, (in, out) -> Math.abs(out - Math.pow(2, in)) / Math.pow(2, in));
        assertTrue(worst <= 2.5e-7, "max relative error " + worst);
    }

    @Test
    void aLogitFarAboveAGuessedMaximumWeighsHugelyAndIsGathered() {
        for (int n : new int[] {40, 5000}) {
            for (float spike : new float[] {100f, 200f, 1e9f, Float.MAX_VALUE, Float.POSITIVE_INFINITY}) {
                float[] values = Logits.make(Logits.Shape.GAUSSIAN, n, 9);
                values[n - 7] = spike;
                int[] ids = new int[n];
                float[] vals = new float[n];
                double[] sum = {0};
                int count = VECTOR.gatherExpSum(Logits.segment(values), n, 0f, 1f, -31.8f, -8f, ids, vals, sum);
                assertTrue(sum[0] >= 1e30, "spike " + spike + ": sum " + sum[0]);
                boolean found = false;
                for (int i = 0; i < count; i++) {
                    found |= ids[i] == n - 7;
                }
                assertTrue(found, "spike " + spike + " gathered");
            }
        }
    }

    /** The largest {@code error(in, f(in))} over every 16th float in {@code [lowest, 0]} and {@code lowest} itself. */
    private static double worstError(float lowest, UnaryOperator<FloatVector> f, DoubleBinaryOperator error) {
        int species = VectorLoops.SPECIES.length();
        float[] in = new float[species * 4096];
        float[] out = new float[in.length];
        double worst = 0;
        int k = 0;
        long lo = Float.floatToRawIntBits(-0f);  // negative floats: the bits grow with the magnitude
        long hi = Float.floatToRawIntBits(lowest);
        for (long bits = lo; bits <= hi + 16; bits += 16) {
            in[k++] = Float.intBitsToFloat((int) Math.min(bits, hi));
            if (k == in.length || bits + 16 > hi + 16) {
                for (int i = 0; i < k; i += species) {
                    f.apply(FloatVector.fromArray(VectorLoops.SPECIES, in, i)).intoArray(out, i);
                }
                for (int i = 0; i < k; i++) {
                    worst = Math.max(worst, error.applyAsDouble(in[i], out[i]));
                }
                Arrays.fill(in, 0f);
                k = 0;
            }
        }
        return worst;
    }

    @Test
    void sparseAddAndPenaltiesFollowLlamaCpp() {
        float[] model = {2f, -1f, 0f, 3f, -0f, Float.NEGATIVE_INFINITY, 7f};
        MemorySegment x = Logits.segment(model);
        int[] counts = {0, 2, 1, 0, 3, 1, 0};
        int[] ids = {1, 2, 4, 5};
        VECTOR.penalize(x, ids, 4, counts, 1.5f, 0.25f, 0.125f);
        float[] got = Logits.read(x, 7);
        assertEquals(2f, got[0], 0f, "untouched");
        assertEquals(-1f * 1.5f - (2 * 0.25f + 0.125f), got[1], 0f, "negative: multiplied");
        assertEquals(0f - (0.25f + 0.125f), got[2], 0f, "zero counts as non-positive");
        assertEquals(-0f * 1.5f - (3 * 0.25f + 0.125f), got[4], 0f);
        assertEquals(Float.NEGATIVE_INFINITY, got[5], 0f, "a banned token stays banned");
        VECTOR.addAt(x, new int[] {0, 6}, new float[] {0.5f, Float.NEGATIVE_INFINITY}, 2);
        got = Logits.read(x, 7);
        assertEquals(2.5f, got[0], 0f);
        assertEquals(Float.NEGATIVE_INFINITY, got[6], 0f);
        MemorySegment positive = Logits.segment(new float[] {3f});
        VECTOR.penalize(positive, new int[] {0}, 1, new int[] {1}, 1.5f, 0f, 0f);
        assertEquals(2f, Logits.read(positive, 1)[0], 0f, "positive: divided");
    }

    @Test
    void preferredHonoursTheForceScalarProperty() {
        String old = System.getProperty(LogitKernels.FORCE_SCALAR_PROPERTY);
        try {
            System.setProperty(LogitKernels.FORCE_SCALAR_PROPERTY, "true");
            assertEquals("scalar", LogitKernels.preferred().name());
            System.clearProperty(LogitKernels.FORCE_SCALAR_PROPERTY);
            assertTrue(LogitKernels.preferred().name().startsWith("vector-"));
        } finally {
            if (old != null) {
                System.setProperty(LogitKernels.FORCE_SCALAR_PROPERTY, old);
            }
        }
    }

    private static float[] thresholds(float max) {
        return new float[] {Float.NEGATIVE_INFINITY, -Float.MAX_VALUE, 0f, max - 3f, max, Math.nextUp(max),
                Float.POSITIVE_INFINITY, Float.NaN};
    }

    private static int naiveArgmax(float[] x) {
        int best = -1;
        for (int i = 0; i < x.length; i++) {
            if (!Float.isNaN(x[i]) && (best < 0 || x[i] > x[best])) {
                best = i;
            }
        }
        return best;
    }

    private static void assertClose(double expected, double actual, String what) {
        assertTrue(Math.abs(expected - actual) <= SUM_TOLERANCE * Math.abs(expected) + 1e-30,
                what + ": expected " + expected + ", got " + actual);
    }

    private static void assertWithinUlps(float[] expected, float[] actual, int n, String what) {
        for (int i = 0; i < n; i++) {
            float e = expected[i];
            float a = actual[i];
            float ulp = Math.ulp(Math.max(Math.abs(e), Math.abs(a)));
            boolean subnormalFlush = Math.abs(e) < 3e-38f && a == 0f;
            assertTrue(Math.abs(e - a) <= 2 * ulp || subnormalFlush, what + "[" + i + "]: expected " + e + ", got " + a);
        }
    }
}
