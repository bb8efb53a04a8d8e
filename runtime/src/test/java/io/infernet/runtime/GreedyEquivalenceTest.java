package io.infernet.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.infernet.kernels.SamplingParams;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The project's Java sampler, reading llama.cpp's logits in place, picks exactly the tokens
 * llama.cpp's own greedy sampler picks, on a generated model, token for token.
 */
@Tag("native")
class GreedyEquivalenceTest {

    private static int[] run(Model m, TokenSampler s, int[] prompt, int n) {
        try (Context c = m.newContext(ContextParams.defaults().withKvCells(512).withBatch(128, 128).withThreads(1, 1));
             Generator g = new Generator(c)) {
            return g.generate(prompt, s, n, false, (t, b, len) -> true).tokens();
        }
    }

    @Test
    void javaGreedyEqualsLlamaCppGreedyOnTheDemoModel() {
        try (Model m = Model.load(TestModels.demo())) {
            for (String text : new String[] {"Once upon a time", "The quick brown fox", "def main():\n    print("}) {
                int[] prompt = m.vocab().tokenize(text, true, false);
                int[] java;
                int[] llama;
                try (TokenSampler js = new JavaSampler(SamplingParams.greedy(), m.vocab().size());
                     TokenSampler ns = new NativeSampler(SamplingParams.greedy(), m.vocab().size())) {
                    java = run(m, js, prompt, 48);
                    llama = run(m, ns, prompt, 48);
                }
                assertEquals(48, llama.length, "random weights should not hit end-of-generation this early");
                assertArrayEquals(llama, java, "prompt '" + text + "'");
            }
        }
    }

    @Test
    void javaGreedyWithBiasAndPenaltiesEqualsLlamaCpp() {
        // Ban the token llama.cpp picks first and penalise repeats: both samplers must agree.
        try (Model m = Model.load(TestModels.tiny())) {
            int[] prompt = m.vocab().tokenize("Hello there", true, false);
            int first;
            try (TokenSampler ns = new NativeSampler(SamplingParams.greedy(), m.vocab().size())) {
                first = run(m, ns, prompt, 1)[0];
            }
            SamplingParams p = SamplingParams.greedy().withLogitBias(Map.of(first, Float.NEGATIVE_INFINITY))
                    .withRepeatPenalty(1.3f, 64).withFrequencyPenalty(0.5f).withPresencePenalty(0.3f);
            try (TokenSampler js = new JavaSampler(p, m.vocab().size()); TokenSampler ns = new NativeSampler(p, m.vocab().size())) {
                int[] java = run(m, js, prompt, 32);
                int[] llama = run(m, ns, prompt, 32);
                assertArrayEquals(llama, java);
                for (int t : java) {
                    org.junit.jupiter.api.Assertions.assertNotEquals(first, t, "a banned token was generated");
                }
            }
        }
    }
}
