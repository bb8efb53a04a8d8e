package io.infernet.bench.jmh;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.infernet.bench.kernels.SamplerBench;
import java.util.Collection;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The per-token paths allocate nothing once compiled, measured as JMH measures it: in a forked
 * JVM, after warm-up, with the GC profiler's bytes per operation ({@code gc.alloc.rate.norm}).
 * Interpreted and C1 code box vectors, so a unit test that counts bytes depends on when C2
 * compiles; JMH's warm-up makes that its business.
 */
@Tag("slow")
@Tag("native")
class AllocationTest {

    /** Runs one benchmark with the GC profiler; {@code warmup} one-second iterations first (C2 must have compiled the vector kernels). */
    private static Collection<RunResult> run(int warmup, String include, String... params) throws Exception {
        OptionsBuilder b = new OptionsBuilder();
        b.include(include).forks(1).warmupIterations(warmup).warmupTime(TimeValue.seconds(1))
                .measurementIterations(2).measurementTime(TimeValue.seconds(1)).addProfiler(GCProfiler.class)
                .jvmArgsAppend("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED")
                .shouldFailOnError(true);
        for (int i = 0; i < params.length; i += 2) {
            b.param(params[i], params[i + 1].split(","));
        }
        Options o = b.build();
        // Bytes per operation do not depend on what else runs: another JMH run (timings) may hold the lock.
        System.setProperty("jmh.ignoreLock", "true");
        return new Runner(o).run();
    }

    private static double bytesPerOp(RunResult r) {
        Result<?> norm = r.getSecondaryResults().get("gc.alloc.rate.norm");
        assertTrue(norm != null, "the GC profiler reported no allocation rate");
        return norm.getScore();
    }

    @Test
    void samplingATokenAllocatesNothing() throws Exception {
        Collection<RunResult> results = run(3, SamplerBench.class.getName() + ".sample",
                "vocab", "32000", "kernels", "vector", "shape", "peaked", "mode", "greedy,full,penalties,topp95");
        assertFalse(results.isEmpty());
        for (RunResult r : results) {
            double b = bytesPerOp(r);
            // JMH's own loop allocates nothing; a single boxed vector would be 16+ bytes per token.
            assertTrue(b < 1.0, r.getParams().getParam("mode") + ": " + b + " bytes allocated per sampled token");
        }
    }

    @Test
    void theGenerationLoopAllocatesNothingPerToken() throws Exception {
        Collection<RunResult> results = run(10, LoopAllocationBenchmark.class.getName() + ".generate", "tokens", "32,160");
        java.util.Map<Integer, Double> perCall = new java.util.HashMap<>();
        for (RunResult r : results) {
            perCall.put(Integer.parseInt(r.getParams().getParam("tokens")), bytesPerOp(r));
        }
        assertTrue(perCall.containsKey(32) && perCall.containsKey(160), perCall.toString());
        // The token array of the result grows by about 8 bytes a token; JMH's own bookkeeping, spread
        // over few operations, adds some tens more. Vector kernels that box (not compiled, or not
        // inlined) allocate kilobytes a token, which is what this catches.
        double perToken = (perCall.get(160) - perCall.get(32)) / 128;
        assertTrue(perToken < 128, perToken + " bytes allocated per extra token (per call: " + perCall + ")");
    }
}
