package io.infernet.kernels;

import org.junit.jupiter.api.Tag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The sampler against {@link ReferenceSampler} (full sort, softmax in double) on random and
 * adversarial logits of every size, for both kernels. Holds: the kept set is the reference's,
 * except tokens the reference gives under 1e-8 (the sampler's negligible band may drop those) and
 * tokens whose top-p membership the reference decides within a relative 1e-5 of its target
 * (then only the sets are compared); every probability within 2e-6 absolute + 1e-4 relative
 * (float weights, 1/temperature rounded to float, against double).
 */
@Tag("slow")
class SamplerReferenceTest {

    private static final SamplingParams BASE = SamplingParams.greedy().withSeed(5);

    static final List<SamplingParams> PARAMS = List.of(
            BASE,
            BASE.withTemperature(1f),
            BASE.withTemperature(0.7f).withTopK(40),
            BASE.withTemperature(1f).withTopP(0.95f),
            BASE.withTemperature(1.3f).withTopP(0.5f),
            BASE.withTemperature(1f).withMinP(0.05f),
            BASE.withTemperature(0.8f).withTopK(40).withTopP(0.95f).withMinP(0.05f),
            BASE.withTemperature(0.5f).withTopK(1000).withTopP(0.9f),
            BASE.withTemperature(1f).withTopK(3).withMinP(0.2f),
            BASE.withTemperature(0.9f).withTopP(0.8f).withMinP(0.01f),
            BASE.withTemperature(0.8f).withTopK(40).withRepeatPenalty(1.3f, 64).withFrequencyPenalty(0.4f)
                    .withPresencePenalty(0.6f).withLogitBias(Map.of(0, 5f, 1, Float.NEGATIVE_INFINITY, 2, -1.5f)),
            BASE.withRepeatPenalty(1.5f, -1).withLogitBias(Map.of(0, 30f)));

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        long seed = 100;
        for (int n : Logits.SIZES) {
            for (Logits.Shape shape : Logits.Shape.values()) {
                for (int p = 0; p < PARAMS.size(); p++) {
                    // Every combination on small vocabularies; on large ones a deterministic third of them.
                    if (n <= 4097 || (p + shape.ordinal() + n) % 3 == 0) {
                        cases.add(Arguments.of(n, shape, p, seed++));
                    }
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{1} n={0} params#{2}")
    @MethodSource("cases")
    void keptSetAndProbabilitiesMatchTheReference(int n, Logits.Shape shape, int paramIndex, long seed) {
        SamplingParams params = PARAMS.get(paramIndex);
        if (params.logitBias().keySet().stream().anyMatch(id -> id >= n)) {
            return;
        }
        float[] logits = Logits.make(shape, n, seed);
        MemorySegment x = Logits.segment(logits);
        var random = new SplittableRandom(seed);
        int[] history = new int[Math.min(200, 3 * n)];
        for (int i = 0; i < history.length; i++) {
            history[i] = random.nextInt(n);
        }
        for (LogitKernels kernels : List.of(LogitKernels.scalar(), LogitKernels.vector())) {
            var sampler = new Sampler(params, n, kernels);
            int[] counts = new int[n];
            int window = params.penaltyLastN() < 0 ? history.length : Math.min(history.length, params.penaltyLastN());
            for (int i = 0; i < history.length; i++) {
                sampler.accept(history[i]);
                if (i >= history.length - window) {
                    counts[history[i]]++;
                }
            }
            ReferenceSampler.Result expected = ReferenceSampler.sample(logits, params, counts);
            if (expected == null) {
                assertThrows(IllegalStateException.class, () -> sampler.sample(x), "nothing can be sampled");
                continue;
            }
            int[] ids = new int[n];
            float[] probs = new float[n];
            int kept = sampler.candidates(x, ids, probs);
            String where = kernels.name() + " " + params;
            double[] expectedById = expected.byId(n);
            boolean[] keptById = new boolean[n];
            boolean setsDiffer = false;
            for (int i = 0; i < kept; i++) {
                keptById[ids[i]] = true;
                if (expectedById[ids[i]] == 0) {
                    setsDiffer = true;
                    assertTrue(expected.ambiguous()[ids[i]] || probs[i] < 1e-8, where + ": token " + ids[i]
                            + " kept with p=" + probs[i] + " but the reference drops it");
                }
            }
            for (int i = 0; i < expected.ids().length; i++) {
                int id = expected.ids()[i];
                if (!keptById[id] && expected.probs()[i] > 1e-8) {
                    setsDiffer = true;
                    assertTrue(expected.ambiguous()[id], where + ": reference keeps token " + id
                            + " (p=" + expected.probs()[i] + "), the sampler does not");
                }
            }
            if (!setsDiffer) { // a token in or out at top-p's boundary renormalizes the others
                for (int i = 0; i < kept; i++) {
                    double want = expectedById[ids[i]];
                    assertEquals(want, probs[i], 2e-6 + 1e-4 * want, where + ": probability of token " + ids[i]);
                }
            }
            int token = sampler.sample(x);
            assertTrue(token >= 0 && token < n);
            assertTrue(expectedById[token] > 0 || expected.ambiguous()[token], where + ": drew token " + token + " outside the kept set");
        }
    }

    @ParameterizedTest(name = "n={0}")
    @MethodSource("sizes")
    void greedyIsTheReferenceArgmaxOnEveryShape(int n) {
        for (Logits.Shape shape : Logits.Shape.values()) {
            float[] logits = Logits.make(shape, n, n * 31L + shape.ordinal());
            ReferenceSampler.Result expected = ReferenceSampler.sample(logits, BASE, new int[n]);
            for (LogitKernels kernels : List.of(LogitKernels.scalar(), LogitKernels.vector())) {
                var sampler = new Sampler(BASE, n, kernels);
                if (expected == null) {
                    assertThrows(IllegalStateException.class, () -> sampler.sample(Logits.segment(logits)));
                } else {
                    assertEquals(expected.ids()[0], sampler.sample(Logits.segment(logits)), kernels.name() + " " + shape);
                }
            }
        }
    }

    static Stream<Integer> sizes() {
        return Logits.SIZES.stream();
    }
}
