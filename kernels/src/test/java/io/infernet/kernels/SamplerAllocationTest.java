package io.infernet.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The per-token path allocates nothing. With the scalar kernels that holds from the first call
 * (no boxing anywhere, even interpreted), so a unit test can count it. With the Vector API it
 * holds once C2 has compiled the kernels (interpreted and C1 code box every vector): that check
 * depends on the JIT and lives in the bench module, measured by JMH's GC profiler
 * ({@code AllocationTest}).
 */
class SamplerAllocationTest {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static final SamplingParams[] MODES = {
            SamplingParams.greedy(),
            SamplingParams.greedy().withTemperature(0.8f).withTopK(40).withTopP(0.95f).withMinP(0.05f).withSeed(1),
            SamplingParams.greedy().withTemperature(1f).withTopP(0.9f).withSeed(2),
            SamplingParams.greedy().withTemperature(1f).withSeed(3),
            SamplingParams.greedy().withTemperature(1f).withMinP(0.1f).withSeed(4),
            SamplingParams.greedy().withTemperature(0.7f).withTopK(20).withRepeatPenalty(1.2f, 16).withFrequencyPenalty(0.3f)
                    .withPresencePenalty(0.3f).withLogitBias(Map.of(3, -1f, 4, Float.NEGATIVE_INFINITY)).withSeed(5)};

    @Test
    void scalarSamplingAllocatesNothingPerToken() {
        int n = 4099;
        MemorySegment x = Logits.segment(Logits.make(Logits.Shape.PEAKED, n, 1));
        for (SamplingParams p : MODES) {
            var s = new Sampler(p, n, LogitKernels.scalar());
            // Run alone, the first rounds still allocate a few bytes once (48 seen: linkage, not the sampler).
            long bytes = Long.MAX_VALUE;
            for (int r = 0; r < 20 && bytes > 0; r++) {
                bytes = round(s, x, 200);
            }
            assertEquals(0, bytes, "bytes allocated over 200 tokens with " + p);
        }
    }

    private static long round(Sampler s, MemorySegment x, int tokens) {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < tokens; i++) {
            s.accept(s.sample(x));
        }
        return THREADS.getCurrentThreadAllocatedBytes() - before;
    }
}
