package io.infernet.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.infernet.kernels.SamplingParams;
import org.junit.jupiter.api.Test;

class GenerationSmokeTest {
    @Test
    void generatesWithLlamaCppsGreedySampler() {
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
            System.out.println(java.util.Arrays.toString(r.tokens()) + " " + text + " " + r.generationTokensPerSecond());
            assertEquals(prompt.length, r.promptTokens().length);
            assertTrue(r.tokens().length > 0);
        }
    }
}
