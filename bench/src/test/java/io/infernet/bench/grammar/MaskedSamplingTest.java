package io.infernet.bench.grammar;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.infernet.grammar.TokenMask;
import io.infernet.kernels.Sampler;
import io.infernet.kernels.SamplingParams;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The contract the integration relies on: once {@link TokenMask#apply} has set a token's logit to
 * -infinity, the project's sampler never draws it, whatever the logit bias (even +100 on that very
 * token), penalties, temperature or filters. (This module is the one that sees both the grammar
 * and the kernels.)
 */
class MaskedSamplingTest {
    private static final ValueLayout.OfFloat LOGIT = ValueLayout.JAVA_FLOAT;

    @Test
    void aMaskedTokenIsNeverSampled() {
        int vocab = 5000;
        SplittableRandom r = new SplittableRandom(9);
        long[] mask = TokenMask.allocate(vocab);
        for (int t = 0; t < vocab; t++) {
            if (r.nextInt(50) == 0) {
                TokenMask.allow(mask, t);
            }
        }
        int masked = 0;
        while (TokenMask.isAllowed(mask, masked)) {
            masked++;
        }
        SamplingParams base = SamplingParams.greedy().withSeed(3);
        SamplingParams[] modes = {
            base,
            base.withTemperature(5f),
            base.withTemperature(1f).withTopK(40).withTopP(0.95f).withMinP(0.05f),
            base.withTemperature(2f).withLogitBias(Map.of(masked, 100f, masked + 1, 50f)),
            base.withTemperature(1.5f).withRepeatPenalty(1.3f, 64).withFrequencyPenalty(-2f).withPresencePenalty(-2f),
        };
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment logits = arena.allocate((long) vocab * Float.BYTES, 64);
            for (SamplingParams p : modes) {
                Sampler sampler = new Sampler(p, vocab);
                for (int t = 0; t < 64; t++) {
                    sampler.accept(masked + t); // a penalty history full of masked tokens
                }
                for (int i = 0; i < 2000; i++) {
                    for (int t = 0; t < vocab; t++) {
                        logits.setAtIndex(LOGIT, t, (float) (r.nextGaussian() * 3 + (TokenMask.isAllowed(mask, t) ? -5 : 5)));
                    }
                    TokenMask.apply(logits, mask, vocab);
                    int token = sampler.sample(logits);
                    assertTrue(TokenMask.isAllowed(mask, token), "sampled masked token " + token + " with " + p);
                    sampler.accept(token);
                }
            }
        }
    }
}
