package io.infernet.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Top-p without top-k on flat logits, where its set holds thousands of tokens and is cut over the
 * whole vocabulary ({@link DenseTopP}), held token for token to {@link ExactDraw} (full sort, double)
 * with both kernels: one sampler per case draws from a sequence of rows with the seed's stream, and
 * every draw must be the exact one unless the exact computation comes within {@link #MARGIN} of the
 * total of flipping, at top-p's cut or in the draw (float weights and sums: over thousands of such
 * draws none differed at margins down to 7e-10, and the sampler before DenseTopP differed once, at
 * 1.1e-8), and at most one draw in four may be let off that way (a row of equal logits always is).
 * A row whose exact set is larger than the sampler's sparse limit must have been cut over the whole
 * vocabulary.
 */
@Tag("slow")
class FlatTopPTest {

    /** Relative to the total: where the exact draw is this close to flipping, a sampler may differ. */
    static final double MARGIN = 1e-7;

    enum Rows {
        /** N(0, spread^2) on every row. */
        GAUSSIAN,
        /** The same on a grid of spread/4: ties everywhere, also at top-p's boundary. */
        TIES,
        /** Gaussian with a tenth of the logits NaN and a tenth -infinity. */
        HOLES,
        /** Each row shifted by up to +-20 and its spread scaled by 0.5 to 1.5: the last row's boundary misleads. */
        SHIFTING,
        /**
         * Gaussian rows among an LM-like peaked one, one whose logits are all equal, one with a few
         * +infinity and one with nothing to draw (every logit -infinity).
         */
        MIXED
    }

    static Stream<Arguments> cases() {
        int[] sizes = {1000, 4097, 32000, 32001, 50257, 131072};
        float[] topPs = {0.1f, 0.3f, 0.5f, 0.8f, 0.9f, 0.95f, 0.99f};
        float[] spreads = {0.3f, 1f, 2f, 4f};
        float[] temperatures = {0.05f, 0.3f, 0.8f, 1f, 1.5f, 2.5f};
        List<Arguments> cases = new ArrayList<>();
        int c = 0;
        for (int n : sizes) {
            for (float p : topPs) {
                Rows rows = Rows.values()[c % Rows.values().length];
                cases.add(Arguments.of(n, p, spreads[c % spreads.length], temperatures[(c / 2) % temperatures.length], rows,
                        1000L + c));
                c++;
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "n={0} top_p={1} spread={2} T={3} {4}")
    @MethodSource("cases")
    void everyDrawIsTheExactOne(int n, float topP, float spread, float temperature, Rows rows, long seed) {
        SamplingParams params = SamplingParams.greedy().withTemperature(temperature).withTopP(topP).withSeed(seed);
        int count = n > 40_000 ? 7 : 14;
        int sparseLimit = Math.max(256, n / 16);
        for (LogitKernels kernels : List.of(LogitKernels.scalar(), LogitKernels.vector())) {
            var sampler = new Sampler(params, n, kernels);
            var stream = new SplitMix64(seed);
            int checked = 0;
            int drawn = 0;
            for (int r = 0; r < count; r++) {
                float[] x = row(rows, n, spread, r, seed * 1000 + r);
                String where = kernels.name() + " row " + r;
                long denseBefore = sampler.denseCuts();
                if (!drawable(x)) {
                    assertThrows(IllegalStateException.class, () -> sampler.sample(Logits.segment(x)), where);
                    continue; // nothing drawn, no random number used
                }
                int token = sampler.sample(Logits.segment(x));
                ExactDraw exact = ExactDraw.of(x, temperature, topP, stream.nextDouble());
                drawn++;
                if (exact.margin >= MARGIN) {
                    checked++;
                    assertEquals(exact.token, token, where + ": margin " + exact.margin);
                }
                if (exact.kept > sparseLimit + 1) {
                    assertEquals(denseBefore + 1, sampler.denseCuts(), where + ": " + exact.kept + " kept, not cut by id");
                }
            }
            assertTrue(checked * 4 >= drawn * 3, kernels.name() + ": only " + checked + " of " + drawn
                    + " draws were far enough from flipping to check");
        }
    }

    private static float[] row(Rows rows, int n, float spread, int r, long seed) {
        var random = new SplittableRandom(seed);
        float shift = rows == Rows.SHIFTING ? (float) (random.nextDouble() * 40 - 20) : 0f;
        float sd = rows == Rows.SHIFTING ? spread * (float) (0.5 + random.nextDouble()) : spread;
        if (rows == Rows.MIXED) {
            switch (r % 7) {
                case 2 -> {
                    return Logits.make(Logits.Shape.PEAKED, n, seed);
                }
                case 4 -> {
                    return Logits.make(Logits.Shape.ALL_EQUAL, n, seed);
                }
                case 5 -> {
                    return Logits.make(Logits.Shape.SOME_POS_INF, n, seed);
                }
                case 6 -> {
                    return Logits.make(Logits.Shape.ALL_NEG_INF, n, seed);
                }
                default -> { }
            }
        }
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (random.nextGaussian() * sd) + shift;
            if (rows == Rows.TIES) {
                x[i] = Math.round(x[i] * 4 / spread) * spread / 4;
            } else if (rows == Rows.HOLES && random.nextInt(10) == 0) {
                x[i] = random.nextBoolean() ? Float.NaN : Float.NEGATIVE_INFINITY;
            }
        }
        return x;
    }

    private static boolean drawable(float[] x) {
        for (float v : x) {
            if (v > Float.NEGATIVE_INFINITY) {
                return true;
            }
        }
        return false;
    }
}
