package io.infernet.bench.jmh;

import io.infernet.runtime.Batch;
import io.infernet.runtime.Context;
import io.infernet.runtime.DecodeStatus;
import io.infernet.runtime.Model;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Prompt processing, the pp512 of llama-bench: one decode of 512 random tokens into an empty cache.
 * The score is tokens per second (512 operations per invocation).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 5)
@Measurement(iterations = 5, time = 5)
public class PromptBenchmark extends NativeFork {

    public static final int TOKENS = 512;

    @State(Scope.Benchmark)
    public static class Prompt extends TierParams {

        Model model;
        Context ctx;
        Batch batch;
        int[] tokens;

        @Setup(Level.Trial)
        public void setUp() {
            model = TierModel.open(tier);
            ctx = model.newContext(TierModel.context(TOKENS, TierModel.threads(threads)));
            batch = new Batch(TOKENS, 1);
            tokens = TierModel.randomPrompt(model, TOKENS);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            batch.close();
            model.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(TOKENS)
    public float pp512(Prompt s) {
        s.ctx.clearMemory();
        s.batch.clear();
        for (int i = 0; i < TOKENS; i++) {
            s.batch.add(s.tokens[i], i, 0, i == TOKENS - 1);
        }
        if (s.ctx.decode(s.batch) != DecodeStatus.OK) {
            throw new IllegalStateException("decode failed");
        }
        return s.ctx.logits(TOKENS - 1).getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, 0);
    }
}
