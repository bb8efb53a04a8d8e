package io.infernet.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Each filter's exact semantics on tiny hand-made fixtures, with both kernel implementations. */
class SamplerTest {

    private static final SamplingParams GREEDY = SamplingParams.greedy();
    private static final SamplingParams T1 = GREEDY.withTemperature(1f).withSeed(42);

    static Stream<LogitKernels> kernels() {
        return Stream.of(LogitKernels.scalar(), LogitKernels.vector());
    }

    // ---- greedy ----

    @ParameterizedTest
    @MethodSource("kernels")
    void greedyIsTheArgmaxWithTiesToTheLowestId(LogitKernels k) {
        var s = new Sampler(GREEDY, 6, k);
        assertEquals(3, s.sample(Logits.segment(new float[] {1f, 2f, -1f, 5f, 5f, Float.NaN})));
        assertEquals(0, s.sample(Logits.segment(new float[] {0f, -0f, 0f, 0f, 0f, 0f})), "-0.0 ties with 0.0");
        assertEquals(5, s.sample(Logits.segment(new float[] {Float.NaN, Float.NEGATIVE_INFINITY, -3e38f, -1f, -2f, 0f})));
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void greedyCountsBiasAndPenalties(LogitKernels k) {
        MemorySegment x = Logits.segment(new float[] {2.0f, 1.9f, 0.5f, -1f});
        assertEquals(1, new Sampler(GREEDY.withLogitBias(Map.of(0, -0.2f)), 4, k).sample(x), "bias");
        assertEquals(3, new Sampler(GREEDY.withLogitBias(Map.of(3, 3.5f)), 4, k).sample(x), "bias up");
        assertEquals(1, new Sampler(GREEDY.withLogitBias(Map.of(0, Float.NEGATIVE_INFINITY)), 4, k).sample(x), "ban");
        var repeat = new Sampler(GREEDY.withRepeatPenalty(1.1f, 64), 4, k);
        assertEquals(0, repeat.sample(x));
        repeat.accept(0);
        assertEquals(1, repeat.sample(x), "2.0 / 1.1 = 1.82 < 1.9");
    }

    // ---- penalties ----

    @ParameterizedTest
    @MethodSource("kernels")
    void repeatPenaltyMultipliesNegativeLogits(LogitKernels k) {
        MemorySegment x = Logits.segment(new float[] {-1.00f, -1.05f, -3f});
        var s = new Sampler(GREEDY.withRepeatPenalty(1.1f, 64), 3, k);
        assertEquals(0, s.sample(x));
        s.accept(0);
        assertEquals(1, s.sample(x), "-1.0 * 1.1 = -1.1 < -1.05");
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void frequencyPenaltyScalesWithTheCountAndPresenceDoesNot(LogitKernels k) {
        MemorySegment x = Logits.segment(new float[] {1.0f, 0.75f, 0.45f});
        var frequency = new Sampler(GREEDY.withFrequencyPenalty(0.2f), 3, k);
        frequency.accept(0);
        assertEquals(0, frequency.sample(x), "1.0 - 0.2 = 0.8 > 0.75");
        frequency.accept(0);
        assertEquals(1, frequency.sample(x), "1.0 - 2 * 0.2 = 0.6 < 0.75");

        var presence = new Sampler(GREEDY.withPresencePenalty(0.5f), 3, k);
        presence.accept(0);
        presence.accept(0);
        presence.accept(0);
        assertEquals(1, presence.sample(x), "1.0 - 0.5 = 0.5 < 0.75");
        presence.accept(1);
        assertEquals(0, presence.sample(x), "once each: 0.5 vs 0.25 vs 0.45");
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void penaltiesLookOnlyAtTheWindowAndResetForgets(LogitKernels k) {
        MemorySegment x = Logits.segment(new float[] {2.0f, 1.9f, 0f, 0f});
        var s = new Sampler(GREEDY.withRepeatPenalty(1.1f, 3), 4, k);
        s.accept(0);
        assertEquals(1, s.sample(x));
        s.accept(2);
        s.accept(3);
        assertEquals(1, s.sample(x), "0 is still among the last 3");
        s.accept(2);
        assertEquals(0, s.sample(x), "0 has left the window");
        s.accept(0);
        s.reset();
        assertEquals(0, s.sample(x), "reset forgets the history");

        var all = new Sampler(GREEDY.withRepeatPenalty(1.1f, -1), 4, k);
        all.accept(0);
        for (int i = 0; i < 1000; i++) {
            all.accept(3);
        }
        assertEquals(1, all.sample(x), "-1: every token ever accepted counts");

        var none = new Sampler(GREEDY.withRepeatPenalty(1.1f, 0), 4, k);
        none.accept(0);
        assertEquals(0, none.sample(x), "window 0 looks at nothing");
    }

    // ---- filters ----

    @ParameterizedTest
    @MethodSource("kernels")
    void topKKeepsExactlyTheKBestWithTiesToTheLowestIds(LogitKernels k) {
        float[] logits = {1f, 4f, 3f, 4f, 2f, 3f, 0f};
        assertEquals(Map.of(1, 0.5, 3, 0.5), kept(T1.withTopK(2), logits, k));
        // Third place is a tie between ids 2 and 5: the lower id wins.
        Map<Integer, Double> three = kept(T1.withTopK(3), logits, k);
        assertEquals(java.util.Set.of(1, 2, 3), three.keySet());
        assertEquals(Math.exp(-1) / (2 + Math.exp(-1)), three.get(2), 1e-6);
        assertEquals(java.util.Set.of(1), kept(T1.withTopK(1), logits, k).keySet());
        assertEquals(7, kept(T1.withTopK(100), logits, k).size(), "k above the vocabulary keeps everything");
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void topKOnALargeVocabularyFindsTheBestAcrossBlocks(LogitKernels k) {
        float[] logits = new float[20_000];
        Arrays.fill(logits, -5f);
        int[] best = {19_999, 7, 4_096, 12_345, 256};
        for (int i = 0; i < best.length; i++) {
            logits[best[i]] = 10f - i;
        }
        logits[300] = 6f; // ties with best[4] (256) and loses: higher id
        assertEquals(java.util.Set.of(19_999, 7, 4_096, 12_345, 256), kept(T1.withTopK(5), logits, k).keySet());
        assertEquals(java.util.Set.of(19_999, 7, 4_096, 12_345, 256, 300), kept(T1.withTopK(6), logits, k).keySet());
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void topPKeepsTheSmallestPrefixReachingP(LogitKernels k) {
        // Probabilities 0.5, 0.3, 0.15, 0.05 at temperature 1.
        float[] logits = {(float) Math.log(0.15), (float) Math.log(0.5), (float) Math.log(0.05), (float) Math.log(0.3)};
        assertEquals(java.util.Set.of(1), kept(T1.withTopP(0.49f), logits, k).keySet());
        assertEquals(java.util.Set.of(1, 3), kept(T1.withTopP(0.51f), logits, k).keySet());
        assertEquals(java.util.Set.of(1, 3), kept(T1.withTopP(0.79f), logits, k).keySet());
        assertEquals(java.util.Set.of(0, 1, 3), kept(T1.withTopP(0.81f), logits, k).keySet());
        assertEquals(java.util.Set.of(0, 1, 2, 3), kept(T1.withTopP(0.96f), logits, k).keySet());
        Map<Integer, Double> two = kept(T1.withTopP(0.79f), logits, k);
        assertEquals(0.5 / 0.8, two.get(1), 1e-6, "renormalized over what is kept");
        // Top-p's masses are at temperature 1 whatever the temperature; the draw then uses it.
        Map<Integer, Double> hot = kept(T1.withTopP(0.79f).withTemperature(2f), logits, k);
        assertEquals(java.util.Set.of(1, 3), hot.keySet());
        assertEquals(Math.sqrt(0.5) / (Math.sqrt(0.5) + Math.sqrt(0.3)), hot.get(1), 1e-6);
        // After top-k, top-p's mass is relative to what top-k left: 0.5 / 0.8 = 0.625.
        assertEquals(java.util.Set.of(1), kept(T1.withTopK(2).withTopP(0.6f), logits, k).keySet());
        assertEquals(java.util.Set.of(1, 3), kept(T1.withTopK(2).withTopP(0.65f), logits, k).keySet());
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void topPFromThePreviousMaximumMatchesTheExactPath(LogitKernels k) {
        // One sampler sees rows whose maximum moves (its guess is the previous row's maximum: right,
        // a little off, far off, overflowing, infinite); each row must give what a fresh sampler,
        // which has no guess, gives.
        float[] shifts = {0f, 0f, 1f, -1.5f, 10f, -5f, 11.9f, 50f, 0f, -40f, 0f};
        for (int n : new int[] {3, 100, 4099, 131072}) {
            SamplingParams p = T1.withTopP(0.9f);
            var warm = new Sampler(p, n, k);
            for (int r = 0; r < shifts.length; r++) {
                float[] logits = Logits.make(Logits.Shape.PEAKED, n, 77 + r);
                for (int i = 0; i < n; i++) {
                    logits[i] += shifts[r];
                }
                if (r == 8) {
                    logits[n / 2] = Float.NaN;
                }
                String where = k.name() + " n=" + n + " row " + r + " (shift " + shifts[r] + ")";
                Map<Integer, Double> expected = kept(p, logits, k);
                Map<Integer, Double> actual = kept(warm, logits);
                assertEquals(expected.keySet(), actual.keySet(), where);
                expected.forEach((id, q) -> assertEquals(q, actual.get(id), 1e-6 + 1e-5 * q, where + ": probability of " + id));
            }
            for (float spike : new float[] {200f, 1e9f}) {
                // One logit far above the guess, beyond where an exp would overflow.
                kept(warm, Logits.make(Logits.Shape.PEAKED, n, 3)); // the guess: this row's maximum
                float[] logits = Logits.make(Logits.Shape.PEAKED, n, 4);
                logits[n / 3] = spike;
                assertEquals(kept(p, logits, k), kept(warm, logits), k.name() + " n=" + n + " spike " + spike);
            }
            float[] infinite = Logits.make(Logits.Shape.PEAKED, n, 5);
            infinite[n - 1] = Float.POSITIVE_INFINITY;
            assertEquals(Map.of(n - 1, 1.0), kept(warm, infinite), "an infinite logit after a finite guess");
            float[] banned = new float[n];
            Arrays.fill(banned, Float.NEGATIVE_INFINITY);
            assertThrows(IllegalStateException.class, () -> warm.sample(Logits.segment(banned)));
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void topPBoundaryTiesGoToTheLowerId(LogitKernels k) {
        float[] logits = {0f, 1f, 0f, 0f};
        // e / (e + 3) = 0.475; each tie adds 0.175: p = 0.6 needs one of the three ties.
        assertEquals(java.util.Set.of(1, 0), kept(T1.withTopP(0.6f), logits, k).keySet());
        assertEquals(java.util.Set.of(1, 0, 2), kept(T1.withTopP(0.7f), logits, k).keySet());
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void minPKeepsLogitsAtOrAboveMaxPlusLnMinP(LogitKernels k) {
        float floor = (float) Math.log(0.5f);
        float[] logits = {0f, floor, Math.nextDown(floor), -5f, Float.NEGATIVE_INFINITY};
        assertEquals(java.util.Set.of(0, 1), kept(T1.withMinP(0.5f), logits, k).keySet(), "boundary inclusive");
        assertEquals(java.util.Set.of(0, 1), kept(T1.withMinP(0.5f).withTemperature(3f), logits, k).keySet(),
                "temperature does not move min-p's threshold");
        assertEquals(java.util.Set.of(0), kept(T1.withMinP(1f), logits, k).keySet());
        assertEquals(java.util.Set.of(0, 1, 2, 3), kept(T1.withMinP(0.001f), logits, k).keySet());
        // After top-p: top-p keeps {0, 1, 2}; min-p then drops 2.
        assertEquals(java.util.Set.of(0, 1), kept(T1.withTopP(0.9f).withMinP(0.5f), logits, k).keySet());
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void aBannedTokenIsNeverDrawn(LogitKernels k) {
        float[] logits = {3f, 2.5f, 2.9f, 1f};
        var s = new Sampler(T1.withLogitBias(Map.of(0, Float.NEGATIVE_INFINITY, 3, 1.5f)), 4, k);
        MemorySegment x = Logits.segment(logits);
        int[] seen = new int[4];
        for (int i = 0; i < 4000; i++) {
            seen[s.sample(x)]++;
        }
        assertEquals(0, seen[0]);
        assertTrue(seen[1] > 0 && seen[2] > 0 && seen[3] > 0, Arrays.toString(seen));
        assertArrayEquals(logits, Logits.read(x, 4), "the caller's logits are never written");
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void theCallersLogitsAreNeverModified(LogitKernels k) {
        float[] logits = Logits.make(Logits.Shape.PEAKED, 5000, 3);
        MemorySegment x = Logits.segment(logits);
        var params = T1.withTopK(40).withRepeatPenalty(1.3f, 16).withFrequencyPenalty(0.5f).withPresencePenalty(0.5f)
                .withLogitBias(Map.of(1, -2f, 2, Float.NEGATIVE_INFINITY));
        for (SamplingParams p : new SamplingParams[] {params, params.withTemperature(0f), params.withTopK(0).withTopP(0.9f)}) {
            var s = new Sampler(p, 5000, k);
            for (int i = 0; i < 50; i++) {
                s.accept(s.sample(x));
            }
        }
        assertArrayEquals(logits, Logits.read(x, 5000));
    }

    // ---- extremes ----

    @ParameterizedTest
    @MethodSource("kernels")
    void infiniteLogitsShareTheProbabilityEqually(LogitKernels k) {
        float inf = Float.POSITIVE_INFINITY;
        float[] logits = {0f, inf, 5f, inf, inf};
        assertProbs(Map.of(1, 1 / 3d, 3, 1 / 3d, 4, 1 / 3d), kept(T1, logits, k));
        assertEquals(java.util.Set.of(1), kept(T1.withTopK(1), logits, k).keySet());
        assertEquals(1, new Sampler(GREEDY, 5, k).sample(Logits.segment(logits)));
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void aTinyTemperatureIsAnArgmaxOverTies(LogitKernels k) {
        float[] logits = {1f, 3f, 3f, Math.nextDown(3f)};
        assertProbs(Map.of(1, 0.5, 2, 0.5), kept(T1.withTemperature(Float.MIN_VALUE), logits, k));
        assertProbs(Map.of(1, 0.5, 2, 0.5), kept(T1.withTemperature(1e-30f).withTopP(0.5f), logits, k));
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void nothingToSampleIsAClearError(LogitKernels k) {
        float ninf = Float.NEGATIVE_INFINITY;
        MemorySegment banned = Logits.segment(new float[] {ninf, ninf, ninf});
        MemorySegment nan = Logits.segment(new float[] {Float.NaN, Float.NaN, ninf});
        for (SamplingParams p : new SamplingParams[] {GREEDY, T1, T1.withTopK(2), T1.withTopP(0.5f), T1.withMinP(0.1f)}) {
            var e = assertThrows(IllegalStateException.class, () -> new Sampler(p, 3, k).sample(banned));
            assertTrue(e.getMessage().contains("every logit is -infinity or NaN"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> new Sampler(p, 3, k).sample(nan));
        }
        var allBanned = new Sampler(T1.withLogitBias(Map.of(0, ninf, 1, ninf)), 2, k);
        assertThrows(IllegalStateException.class, () -> allBanned.sample(Logits.segment(new float[] {1f, 2f})));
    }

    // ---- the draw ----

    @ParameterizedTest
    @MethodSource("kernels")
    void theSameSeedGivesTheSameTokens(LogitKernels k) {
        int n = 3000;
        var params = T1.withTemperature(0.9f).withTopK(50).withRepeatPenalty(1.1f, 32).withSeed(7);
        int[] first = draws(new Sampler(params, n, k), n, 300);
        assertArrayEquals(first, draws(new Sampler(params, n, k), n, 300));
        var again = new Sampler(params, n, k);
        draws(again, n, 120);
        again.reset();
        assertArrayEquals(first, draws(again, n, 300), "reset() restarts history and stream");
        assertNotEquals(Arrays.toString(first), Arrays.toString(draws(new Sampler(params.withSeed(8), n, k), n, 300)));
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void drawFrequenciesFollowTheSoftmax(LogitKernels k) {
        float[] logits = {0.3f, -1.2f, 1.0f, 0.0f, -0.5f, 2.0f, -3.0f, 0.8f};
        float temperature = 0.8f;
        double[] p = new double[logits.length];
        double z = 0;
        for (int i = 0; i < p.length; i++) {
            z += p[i] = Math.exp(logits[i] / temperature);
        }
        var s = new Sampler(T1.withTemperature(temperature).withSeed(2024), logits.length, k);
        MemorySegment x = Logits.segment(logits);
        int draws = 20_000;
        int[] seen = new int[logits.length];
        for (int i = 0; i < draws; i++) {
            seen[s.sample(x)]++;
        }
        double chiSquare = 0;
        for (int i = 0; i < p.length; i++) {
            double expected = draws * p[i] / z;
            chiSquare += (seen[i] - expected) * (seen[i] - expected) / expected;
        }
        // 7 degrees of freedom: P(chi^2 > 24.32) = 0.001. Seeded, so this either always passes or never.
        assertTrue(chiSquare < 24.32, "chi^2 = " + chiSquare + ", counts " + Arrays.toString(seen));
    }

    @Test
    void scalarAndVectorKernelsDrawTheSameTokens() {
        int n = 32001;
        var params = T1.withTemperature(0.8f).withTopK(40).withTopP(0.95f).withSeed(99);
        for (SamplingParams p : new SamplingParams[] {params, params.withTopK(0), params.withTopK(0).withTopP(1f),
                params.withTopK(0).withTopP(1f).withMinP(0.05f)}) {
            int[] scalar = draws(new Sampler(p, n, LogitKernels.scalar()), n, 200);
            int[] vector = draws(new Sampler(p, n, LogitKernels.vector()), n, 200);
            int same = 0;
            for (int i = 0; i < scalar.length; i++) {
                same += scalar[i] == vector[i] ? 1 : 0;
            }
            // They may differ only where a draw lands within float rounding of a boundary.
            assertTrue(same >= 198, same + " of 200 equal for " + p);
        }
    }

    // ---- bad input ----

    @Test
    void badConstructionAndInputAreClearErrors() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Sampler(T1, 0));
        assertTrue(e.getMessage().contains("vocabSize"));
        e = assertThrows(IllegalArgumentException.class, () -> new Sampler(T1.withLogitBias(Map.of(10, 1f)), 10));
        assertTrue(e.getMessage().contains("token id 10") && e.getMessage().contains("[0, 10)"), e.getMessage());
        var s = new Sampler(T1, 10);
        e = assertThrows(IllegalArgumentException.class, () -> s.sample(Logits.segment(new float[9])));
        assertTrue(e.getMessage().contains("36 bytes") && e.getMessage().contains("40"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> s.accept(10));
        assertThrows(IllegalArgumentException.class, () -> s.accept(-1));
        assertThrows(NullPointerException.class, () -> new Sampler(null, 10));
    }

    // ---- helpers ----

    /** The kept tokens and their probabilities, from the sampler's inspection hook. */
    static Map<Integer, Double> kept(SamplingParams p, float[] logits, LogitKernels k) {
        return kept(new Sampler(p, logits.length, k), logits);
    }

    /** What {@code s} would draw from, with probabilities; uses no randomness. */
    private static Map<Integer, Double> kept(Sampler s, float[] logits) {
        int[] ids = new int[logits.length];
        float[] probs = new float[logits.length];
        int n = s.candidates(Logits.segment(logits), ids, probs);
        Map<Integer, Double> kept = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            kept.put(ids[i], (double) probs[i]);
        }
        return kept;
    }

    private static void assertProbs(Map<Integer, Double> expected, Map<Integer, Double> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((id, p) -> assertEquals(p, actual.get(id), 1e-6, "probability of " + id));
    }

    /** Draws {@code count} tokens, accepting each, from logits that change every step (seeded). */
    static int[] draws(Sampler s, int n, int count) {
        int[] tokens = new int[count];
        for (int i = 0; i < count; i++) {
            tokens[i] = s.sample(Logits.segment(Logits.make(Logits.Shape.PEAKED, n, 1000 + i)));
            s.accept(tokens[i]);
        }
        return tokens;
    }
}
