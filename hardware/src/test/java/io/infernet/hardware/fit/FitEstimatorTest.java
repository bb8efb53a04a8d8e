package io.infernet.hardware.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.infernet.hardware.DetectionSource;
import io.infernet.hardware.Gpu;
import io.infernet.hardware.GpuVendor;
import io.infernet.hardware.MemInfo;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class FitEstimatorTest {
    private static final long GIB = 1L << 30;
    private static final long MIB = 1L << 20;

    private static MemoryBudget gpu24() {
        return new MemoryBudget("VRAM of a 24 GiB GPU", 24 * GIB, OptionalLong.empty(), MemoryBudget.Kind.GPU);
    }

    @Test
    void kvCacheExact() {
        ModelFootprint llama8b = ModelCatalog.LLAMA_3_1_8B.footprint(Quant.Q4_K_M);
        assertEquals(1L << 30, llama8b.kvCacheBytes(8192)); // 2*32*8192*8*128*2
        assertEquals(2L * 40 * 4096 * 40 * 128 * 2, ModelCatalog.LLAMA_2_13B.footprint(Quant.F16).kvCacheBytes(4096)); // no GQA: 3.125 GiB
        ModelFootprint tiny = new ModelFootprint("tiny", 1000, 2, 64, 2, 16, 128);
        assertEquals(2L * 2 * 100 * 2 * 16 * 2, tiny.kvCacheBytes(100));
    }

    @Test
    void weightsFromBitsPerWeight() {
        assertEquals(4_868_345_882L, Quant.Q4_K_M.weightBytes(8_030_261_248L)); // 8030261248 * 4.85 / 8 = 4868345881.6, rounded
        assertEquals(16_060_522_496L, Quant.F16.weightBytes(8_030_261_248L));
        assertEquals(9L, Quant.Q8_0.weightBytes(8)); // 8 * 8.5 / 8 = 8.5, rounds up
        assertEquals(7L, Quant.Q6_K.weightBytes(8)); // 8 * 6.5625 / 8 = 6.5625, rounds up
    }

    @Test
    void overheadIsFixedPlusTwoPercent() {
        assertEquals(256 * MIB + 2, FitEstimator.overheadBytes(100));
        assertEquals(256 * MIB + 20 * MIB, FitEstimator.overheadBytes(1000 * MIB));
    }

    @Test
    void theExampleSentence() {
        FitEstimate e = FitEstimator.estimate(ModelCatalog.LLAMA_3_1_8B.footprint(Quant.Q4_K_M), 8192, gpu24());
        assertEquals(4_868_345_882L, e.weightBytes());
        assertEquals(1L << 30, e.kvBytes());
        assertEquals(256 * MIB + 97_366_918L, e.overheadBytes());
        assertEquals(FitEstimate.Verdict.FITS, e.verdict());
        assertEquals("Llama-3.1-8B Q4_K_M at 8192 context needs about 5.9 GiB (4.5 weights + 1.0 KV + 0.3 overhead): "
                + "fits in 24 GiB with 18 GiB to spare", e.describe());
    }

    @Test
    void smallExactExample() {
        // 1 GiB weights, 4 layers x 1024 ctx x 4 kv heads x 64 dim: KV = 2*4*1024*4*64*2 = 4 MiB.
        ModelFootprint m = new ModelFootprint("toy", GIB, 4, 256, 4, 64, 2048);
        MemoryBudget b = new MemoryBudget("test", 2 * GIB, OptionalLong.of(GIB), MemoryBudget.Kind.GPU);
        FitEstimate e = FitEstimator.estimate(m, 1024, b);
        assertEquals(4 * MIB, e.kvBytes());
        long overhead = 256 * MIB + Math.round(GIB * 0.02);
        assertEquals(overhead, e.overheadBytes());
        assertEquals(GIB + 4 * MIB + overhead, e.totalBytes());
        assertEquals(FitEstimate.Verdict.FITS_WHEN_FREED, e.verdict());
        assertEquals("toy at 1024 context needs about 1.3 GiB (1.0 weights + 0.0 KV + 0.3 overhead): fits in 2.0 GiB with 0.7 GiB to spare, "
                + "but only 1.0 GiB is free now", e.describe());
    }

    @Test
    void doesNotFitSaysByHowMuch() {
        FitEstimate e = FitEstimator.estimate(ModelCatalog.LLAMA_3_1_70B.footprint(Quant.Q4_K_M), 8192, gpu24());
        assertEquals(FitEstimate.Verdict.DOES_NOT_FIT, e.verdict());
        assertEquals("Llama-3.1-70B Q4_K_M at 8192 context needs about 43 GiB (40 weights + 2.5 KV + 1.0 overhead): "
                + "does not fit in 24 GiB (19 GiB short)", e.describe());
    }

    @Test
    void contextBeyondTrainingIsSaid() {
        FitEstimate e = FitEstimator.estimate(ModelCatalog.LLAMA_2_13B.footprint(Quant.Q4_K_M), 8192, gpu24());
        assertEquals(true, e.describe().startsWith("Llama-2-13B Q4_K_M at 8192 context (trained for 4096) needs about"), e.describe());
    }

    @Test
    void ramBudgetKeepsAReserve() {
        MemoryBudget small = MemoryBudget.forRam(new MemInfo(16 * GIB, 10 * GIB));
        assertEquals(14 * GIB, small.capacityBytes()); // reserve: max(2 GiB, 1.6 GiB)
        assertEquals(OptionalLong.of(10 * GIB), small.freeBytes());
        MemoryBudget big = MemoryBudget.forRam(new MemInfo(128 * GIB, 120 * GIB));
        assertEquals(128 * GIB - Math.round(128 * GIB * 0.10), big.capacityBytes());
        assertEquals(OptionalLong.of(big.capacityBytes()), big.freeBytes()); // free is capped at capacity
    }

    @Test
    void gpuBudgetsPoolAndUnified() {
        Gpu a = new Gpu(GpuVendor.NVIDIA, 0, "NVIDIA A100-PCIE-40GB", OptionalLong.of(40960 * MIB), OptionalLong.of(40000 * MIB),
                OptionalInt.empty(), Optional.empty(), Optional.empty(), false, DetectionSource.NVIDIA);
        Gpu b = new Gpu(GpuVendor.NVIDIA, 1, "NVIDIA A100-PCIE-40GB", OptionalLong.of(40960 * MIB), OptionalLong.empty(),
                OptionalInt.empty(), Optional.empty(), Optional.empty(), false, DetectionSource.NVIDIA);
        MemoryBudget pool = MemoryBudget.forGpus(List.of(a, b));
        assertEquals(2 * 40960 * MIB, pool.capacityBytes());
        assertEquals(OptionalLong.empty(), pool.freeBytes()); // one GPU's free is unknown
        assertEquals("VRAM of 2 GPUs (NVIDIA A100-PCIE-40GB)", pool.where());

        Gpu m2 = new Gpu(GpuVendor.APPLE, 0, "Apple M2 Max", OptionalLong.of(64 * GIB), OptionalLong.of(40 * GIB), OptionalInt.empty(),
                Optional.empty(), Optional.empty(), true, DetectionSource.APPLE);
        MemoryBudget unified = MemoryBudget.forGpus(List.of(m2));
        assertEquals(48 * GIB, unified.capacityBytes());
        assertEquals(OptionalLong.of(40 * GIB), unified.freeBytes());
        assertEquals("unified memory of Apple M2 Max (75% of 64 GiB RAM)", unified.where());
        assertThrows(IllegalArgumentException.class, () -> MemoryBudget.forGpus(List.of()));
    }

    @Test
    void catalogueHasEveryModelAndQuant() {
        List<FitEstimate> all = FitEstimator.catalogue(4096, gpu24());
        assertEquals(ModelCatalog.MODELS.size() * Quant.values().length, all.size());
        assertEquals("Llama-3.2-1B F16", all.getFirst().model().name());
        assertEquals("Qwen2.5-72B Q4_0", all.getLast().model().name());
    }

    @Test
    void badInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ModelFootprint("x", 0, 1, 1, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new ModelFootprint("x", 1, 1, 1, 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> ModelCatalog.LLAMA_3_1_8B.footprint(Quant.F16).kvCacheBytes(0));
    }
}
