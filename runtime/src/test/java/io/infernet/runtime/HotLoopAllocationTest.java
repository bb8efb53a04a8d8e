package io.infernet.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.infernet.kernels.SamplingParams;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The generation loop allocates nothing per token: generating 200 more tokens costs no more
 * heap than the 4 bytes per token of the result array.
 */
class HotLoopAllocationTest {

    private static long allocatedBy(Runnable r) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().threadId();
        long before = mx.getThreadAllocatedBytes(id);
        r.run();
        return mx.getThreadAllocatedBytes(id) - before;
    }

    @Test
    void perTokenAllocationIsZero() {
        try (Model m = Model.load(TestModels.tiny());
             Context c = m.newContext(ContextParams.defaults().withKvCells(1024).withBatch(64, 64).withThreads(1, 1));
             Generator g = new Generator(c);
             JavaSampler s = new JavaSampler(SamplingParams.greedy().withTemperature(0.7f).withTopK(40).withSeed(5), m.vocab().size())) {
            int[] prompt = m.vocab().tokenize("Once upon a time", true, false);
            int[] count = new int[1];
            TokenSink stopAt = (t, b, n) -> ++count[0] < limit[0];
            Runnable run = () -> {
                count[0] = 0;
                g.generate(prompt, s, 500, false, stopAt);
            };
            for (int i = 0; i < 30; i++) { // warm up: JIT-compile the loop, the sampler and the downcalls
                limit[0] = 220;
                run.run();
            }
            long smallest = Long.MAX_VALUE;
            long diff = Long.MAX_VALUE;
            for (int round = 0; round < 5; round++) { // the least of a few rounds: a stray JIT event allocates too
                limit[0] = 20;
                long shortRun = allocatedBy(run);
                limit[0] = 220;
                long longRun = allocatedBy(run);
                smallest = Math.min(smallest, shortRun);
                diff = Math.min(diff, longRun - shortRun);
            }
            System.out.println("200 more tokens allocated " + diff + " bytes; a call allocates " + smallest + " bytes in all");
            // 200 more tokens: the result array (Arrays.copyOf of the output) grows by 800 bytes.
            assertTrue(diff <= 800 + 128, "200 more tokens allocated " + diff + " bytes (a fixed " + smallest + " bytes per call)");
        }
    }

    private static final int[] limit = {0};
}
