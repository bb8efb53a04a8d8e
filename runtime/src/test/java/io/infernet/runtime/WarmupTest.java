package io.infernet.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.infernet.kernels.SamplingParams;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class WarmupTest {

    @Test
    void warmsEveryModeItIsGivenAndThenSaysSo() {
        List<SamplingParams> modes = List.of(SamplingParams.greedy(), SamplingParams.greedy().withTemperature(0.8f).withTopP(0.9f).withSeed(3));
        Warmup w = Warmup.start(modes, 200);
        assertTrue(w.await(Duration.ofSeconds(60)), "the warm-up finished");
        assertEquals(400, w.samples());
    }

    @Test
    void theProcessWideWarmupStartsOnce() {
        assertSame(Warmup.once(), Warmup.once());
    }
}
