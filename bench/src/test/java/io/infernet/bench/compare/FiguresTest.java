package io.infernet.bench.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.infernet.bench.TestReports;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FiguresTest {

    @Test
    void figuresSummarizeRoundsAndPairRatiosPerRound() {
        List<Figure> f = Figures.of(TestReports.rounds(), TestReports.VARIANTS, 512, 128, Optional.empty());
        // llama-bench: pp and tg; each in-process variant: pp, decode-only, loop, ttft
        assertEquals(2 + 4 + 4, f.size());
        Figure natPp = find(f, "pp512", Variant.NATIVE);
        assertEquals(1050, natPp.perRound().median(), 1e-9);
        assertTrue(natPp.ratioToNative().isEmpty());

        Figure ourPp = find(f, "pp512", Variant.SAME_BUILD);
        assertEquals(1000, ourPp.perRound().median(), 1e-9);
        // per round: 900/1000 = 0.9 and 1100/1100 = 1.0
        assertEquals(0.95, ourPp.ratioToNative().orElseThrow().median(), 1e-12);
        assertEquals(0.9, ourPp.ratioToNative().orElseThrow().min(), 1e-12);
        assertEquals(1.0, ourPp.ratioToNative().orElseThrow().max(), 1e-12);

        Figure decode = find(f, "tg128 decode-only", Variant.SAME_BUILD);
        assertEquals(0.975, decode.ratioToNative().orElseThrow().median(), 1e-12); // 190/200 and 220/220
        Figure loop = find(f, "tg128 loop", Variant.SAME_BUILD);
        assertEquals(0.9, loop.ratioToNative().orElseThrow().median(), 1e-12); // 180/200 and 198/220
        Figure ttft = find(f, "ttft512", Variant.SAME_BUILD);
        assertEquals("ms", ttft.unit());
        assertEquals(110, ttft.perRound().median(), 1e-9);
        assertTrue(ttft.ratioToNative().isEmpty());
    }

    @Test
    void withoutLlamaBenchThereAreNoRatios() {
        List<Variant> ours = List.of(new Variant(Variant.SAME_BUILD, "ours", false, Optional.empty()));
        List<Figure> f = Figures.of(TestReports.rounds(), ours, 512, 128, Optional.empty());
        assertEquals(4, f.size());
        assertTrue(f.stream().allMatch(x -> x.ratioToNative().isEmpty()));
    }

    private static Figure find(List<Figure> f, String metric, String variant) {
        return f.stream().filter(x -> x.metric().equals(metric) && x.variant().equals(variant)).findFirst().orElseThrow();
    }
}
