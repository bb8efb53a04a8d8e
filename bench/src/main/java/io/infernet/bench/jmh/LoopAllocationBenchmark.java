package io.infernet.bench.jmh;

import io.infernet.kernels.SamplingParams;
import io.infernet.runtime.Context;
import io.infernet.runtime.Generator;
import io.infernet.runtime.JavaSampler;
import io.infernet.runtime.Model;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.CompilerControl;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One call of the generation loop ({@link Generator}, Java sampler at temperature 0.7 with top-k,
 * detokenizing every token) for {@code tokens} tokens: run with {@code -prof gc}, the bytes per
 * call at two lengths give what one more token costs (the loop's per-token allocation), apart
 * from what a call allocates once (its result).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
public class LoopAllocationBenchmark extends NativeFork {

    @Param({"32", "160"})
    public int tokens;
    @Param({"demo"})
    public String tier;

    private Model model;
    private Context ctx;
    private Generator generator;
    private JavaSampler sampler;
    private int[] prompt;

    @Setup(Level.Trial)
    public void setUp() {
        model = TierModel.open(tier);
        ctx = model.newContext(TierModel.context(tokens + 8, 1));
        generator = new Generator(ctx);
        sampler = new JavaSampler(SamplingParams.greedy().withTemperature(0.7f).withTopK(40).withSeed(5), model.vocab().size());
        prompt = new int[] {TierModel.firstToken(model)};
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        sampler.close();
        generator.close();
        model.close();
    }

    /**
     * The loop is compiled on its own, as when {@code generate} or the engine calls it: inlined
     * into JMH's measurement loop it exceeds C2's inlining budget, and the vector kernels it no
     * longer inlines box their vectors (kilobytes a token that no real caller sees).
     */
    @Benchmark
    public int generate() {
        return run();
    }

    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    private int run() {
        return generator.generate(prompt, sampler, tokens, false, (t, b, n) -> true).tokens().length;
    }
}
