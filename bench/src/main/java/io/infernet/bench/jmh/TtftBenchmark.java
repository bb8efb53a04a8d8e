package io.infernet.bench.jmh;

import io.infernet.kernels.SamplingParams;
import io.infernet.runtime.Context;
import io.infernet.runtime.Generator;
import io.infernet.runtime.JavaSampler;
import io.infernet.runtime.Model;
import io.infernet.runtime.TokenSampler;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/** Time to first token after a 512-token prompt: prefill, the first (greedy, Java) sample and its text. Milliseconds. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 5)
@Measurement(iterations = 5, time = 5)
public class TtftBenchmark extends NativeFork {

    public static final int PROMPT = 512;

    @State(Scope.Benchmark)
    public static class Ttft extends TierParams {

        Model model;
        Context ctx;
        Generator generator;
        TokenSampler sampler;
        int[] prompt;

        @Setup(Level.Trial)
        public void setUp() {
            model = TierModel.open(tier);
            ctx = model.newContext(TierModel.context(PROMPT + 1, TierModel.threads(threads)));
            generator = new Generator(ctx);
            sampler = new JavaSampler(SamplingParams.greedy(), model.vocab().size());
            prompt = TierModel.randomPrompt(model, PROMPT);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            sampler.close();
            generator.close();
            model.close();
        }
    }

    @Benchmark
    public int ttft512(Ttft s) {
        return s.generator.generate(s.prompt, s.sampler, 1, false, (tok, b, len) -> true).tokens().length;
    }
}
