package io.infernet.bench.tier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.infernet.hardware.GpuVendor;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class TierPlannerTest {
    private static final long GIB = 1L << 30;
    private static final long MIB = 1L << 20;

    /** Sizes close to the presets' (Q4_0 and Q8_0 with the 32k vocabulary); KV per token with F16. */
    private static final ModelFacts DEMO = new ModelFacts("demo", 60 * MIB, 100_000_000, 17 * MIB, 544, 16_384);
    private static final ModelFacts B1 = new ModelFacts("1b", 620 * MIB, 1_100_000_000, 37 * MIB, 1152, 65_536);
    private static final ModelFacts B7 = new ModelFacts("7b", 3600 * MIB, 6_700_000_000L, 70 * MIB, 2304, 524_288);
    private static final ModelFacts B33 = new ModelFacts("33b", 17 * GIB, 32_500_000_000L, 110 * MIB, 3744, 1_597_440);
    private static final ModelFacts B70 = new ModelFacts("70b", 36 * GIB, 69_000_000_000L, 140 * MIB, 4608, 327_680);

    private static final MachineFacts CPU_BOX = new MachineFacts(2, 23 * GIB + 512 * MIB, 22 * GIB, Optional.empty());
    private static final MachineFacts RTX_4090 = new MachineFacts(16, 64 * GIB, 60 * GIB,
            Optional.of(new MachineFacts.GpuPool("NVIDIA GeForce RTX 4090", GpuVendor.NVIDIA, 24 * GIB, OptionalLong.of(23 * GIB))));

    @Test
    void aCpuMachineRunsDemoAndCpuAndSkipsTheGpuTiersSayingWhy() {
        TierDecision demo = TierPlanner.decide(BenchTier.DEMO, DEMO, 640, CPU_BOX);
        assertEquals(Optional.of(Placement.CPU), demo.placement());
        TierDecision cpu = TierPlanner.decide(BenchTier.CPU, B1, 640, CPU_BOX);
        assertEquals(Optional.of(Placement.CPU), cpu.placement());
        assertTrue(cpu.reason().contains("fits the RAM"), cpu.reason());
        TierDecision gb8 = TierPlanner.decide(BenchTier.GB8, B7, 640, CPU_BOX);
        assertFalse(gb8.runs());
        assertEquals("7b needs a GPU with >= 8 GB; none detected", gb8.reason());
        assertEquals("70b needs a GPU with >= 48 GB; none detected", TierPlanner.decide(BenchTier.GB48, B70, 640, CPU_BOX).reason());
    }

    @Test
    void requiredBytesAreWeightsKvAndTheNodesOverheadEstimate() {
        TierDecision d = TierPlanner.decide(BenchTier.GB8, B7, 640, RTX_4090);
        long overhead = 256 * MIB + Math.round(3600 * MIB * 0.02);
        assertEquals(3600 * MIB + 640L * 524_288 + overhead, d.requiredBytes());
    }

    @Test
    void aGpuRunsEveryTierThatFitsItsFreeVramAndSkipsTheRest() {
        assertEquals(Optional.of(Placement.GPU), TierPlanner.decide(BenchTier.CPU, B1, 640, RTX_4090).placement());
        assertEquals(Optional.of(Placement.GPU), TierPlanner.decide(BenchTier.GB8, B7, 640, RTX_4090).placement());
        assertEquals(Optional.of(Placement.GPU), TierPlanner.decide(BenchTier.GB24, B33, 640, RTX_4090).placement());
        TierDecision gb48 = TierPlanner.decide(BenchTier.GB48, B70, 640, RTX_4090);
        assertFalse(gb48.runs());
        assertTrue(gb48.reason().contains("does not fit the free VRAM of NVIDIA GeForce RTX 4090 (23.0 GiB)"), gb48.reason());
    }

    @Test
    void theCpuTiersFallBackToRamWhenTheGpuIsFull() {
        MachineFacts busyGpu = new MachineFacts(8, 32 * GIB, 30 * GIB,
                Optional.of(new MachineFacts.GpuPool("NVIDIA T4", GpuVendor.NVIDIA, 16 * GIB, OptionalLong.of(200 * MIB))));
        TierDecision cpu = TierPlanner.decide(BenchTier.CPU, B1, 640, busyGpu);
        assertEquals(Optional.of(Placement.CPU), cpu.placement());
        assertTrue(cpu.reason().startsWith("does not fit the GPU; "), cpu.reason());
        assertFalse(TierPlanner.decide(BenchTier.GB8, B7, 640, busyGpu).runs());
    }

    @Test
    void aSmallMachineSkipsEvenTheCpuTier() {
        MachineFacts tiny = new MachineFacts(2, 4 * GIB, 512 * MIB, Optional.empty());
        TierDecision cpu = TierPlanner.decide(BenchTier.CPU, B1, 640, tiny);
        assertFalse(cpu.runs());
        assertTrue(cpu.reason().contains("does not fit the RAM (0.5 GiB usable of 4.0 GiB)"), cpu.reason());
    }

    @Test
    void unknownFreeVramCountsAllOfIt() {
        MachineFacts m = new MachineFacts(8, 32 * GIB, 30 * GIB,
                Optional.of(new MachineFacts.GpuPool("GPU", GpuVendor.AMD, 8 * GIB, OptionalLong.empty())));
        TierDecision d = TierPlanner.decide(BenchTier.GB8, B7, 640, m);
        assertTrue(d.runs());
        assertTrue(d.reason().endsWith("fits the VRAM of GPU (8.0 GiB)"), d.reason());
    }

    @Test
    void tierListsParse() {
        assertEquals(List.of(BenchTier.CPU, BenchTier.GB8, BenchTier.GB12, BenchTier.GB24, BenchTier.GB48), BenchTier.parseList("auto"));
        assertEquals(List.of(BenchTier.DEMO, BenchTier.CPU), BenchTier.parseList("demo, cpu,demo"));
        assertEquals(List.of(BenchTier.GB24), BenchTier.parseList(">=24gb"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BenchTier.parseList("16gb"));
        assertTrue(e.getMessage().contains("unknown tier '16gb'"), e.getMessage());
        assertEquals("7b (Q4_0)", BenchTier.GB8.modelLabel());
        assertEquals("demo (Q8_0)", BenchTier.DEMO.modelLabel());
    }

    @Test
    void factsOfAPresetArePlannedFromItsLayoutWithoutWritingIt() {
        // 7b preset: Q4_0 (18 bytes per 32 weights), token embedding 4096 x 32000, 32 layers of 32 KV heads of 128
        ModelFacts f = ModelFacts.plan(BenchTier.GB8.preset().spec());
        assertEquals(4096L * 32000 / 32 * 18, f.tokenEmbeddingBytes());
        assertEquals(4096 / 32 * 18, f.tokenEmbeddingRowBytes());
        assertEquals(2L * 32 * 32 * 128 * 2, f.kvBytesPerToken());
        assertTrue(f.weightBytes() > 3_500_000_000L && f.weightBytes() < 3_900_000_000L, "7b Q4_0 weighs about 3.7 GB, got " + f.weightBytes());
    }
}
