package io.infernet.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.infernet.kernels.SamplingParams;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The plain generation loop with llama.cpp's own greedy sampler: streamed text, determinism, and a KV cache that continues where it left off. */
@Tag("native")
class GenerationSmokeTest {
    @Test
    void greedyGenerationIsDeterministicStreamsItsTokensAndContinuesFromAnyPrefix() {
        try (Model m = Model.load(TestModels.tiny());
             Context c = m.newContext(ContextParams.defaults().withKvCells(256).withBatch(64, 64).withThreads(1, 1));
             Generator g = new Generator(c);
             NativeSampler s = new NativeSampler(SamplingParams.greedy(), m.vocab().size())) {
            int[] prompt = m.vocab().tokenize("Once upon a time", true, false);
            StringBuilder text = new StringBuilder();
            Utf8Accumulator acc = new Utf8Accumulator();
            Generator.Result r = g.generate(prompt, s, 20, false, (t, b, n) -> {
                text.append(acc.append(b, n));
                return true;
            });
            text.append(acc.flush());
            assertArrayEquals(prompt, r.promptTokens());
            assertEquals(20, r.tokens().length, "a random model rarely ends in 20 tokens; this one does not");
            assertEquals(m.vocab().detokenize(r.tokens(), false, false), text.toString(), "the streamed pieces are the tokens' text");

            Generator.Result again = g.generate(prompt, s, 20, false, (t, b, n) -> true);
            assertArrayEquals(r.tokens(), again.tokens(), "greedy decoding is deterministic");

            // Feeding back the prompt and the first 7 generated tokens continues with the 8th.
            int[] longer = IntStream.concat(Arrays.stream(prompt), Arrays.stream(r.tokens(), 0, 7)).toArray();
            Generator.Result cont = g.generate(longer, s, 5, false, (t, b, n) -> true);
            assertArrayEquals(Arrays.copyOfRange(r.tokens(), 7, 12), cont.tokens());
        }
    }

    @Test
    void aWarmUpLeavesNothingBehindForTheGenerationThatCounts() {
        // Seeded sampling with penalties: a warm-up that left the random stream, the penalty
        // history or the cache touched would change what follows.
        SamplingParams p = SamplingParams.greedy().withTemperature(0.9f).withTopP(0.95f)
                .withRepeatPenalty(1.3f, 64).withPresencePenalty(0.5f).withSeed(11);
        try (Model m = Model.load(TestModels.tiny());
             Context c = m.newContext(ContextParams.defaults().withKvCells(256).withBatch(64, 64).withThreads(1, 1));
             Generator g = new Generator(c);
             JavaSampler s = new JavaSampler(p, m.vocab().size())) {
            int[] prompt = m.vocab().tokenize("Once upon a time", true, false);
            Generator.Result cold = g.generate(prompt, s, 24, false, (t, b, n) -> true);

            g.warmUp(m.vocab().tokenize("A different start, longer than the eight tokens a warm-up keeps", true, false), s, 8);
            assertEquals(-1, c.maxPosition(0), "the warm-up's tokens are gone from the cache");
            Generator.Result warmed = g.generate(prompt, s, 24, false, (t, b, n) -> true);
            assertArrayEquals(cold.tokens(), warmed.tokens(), "the same seed gives the same tokens after a warm-up");
        }
    }
}
