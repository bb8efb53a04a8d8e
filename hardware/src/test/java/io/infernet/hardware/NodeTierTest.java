package io.infernet.hardware;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class NodeTierTest {

    @Test
    void singleRtx4090IsHighEnd() {
        NodeTier t = NodeTier.of(NvidiaSmi.parseQuery(Fixtures.text("nvidia-smi-rtx4090.csv")));
        assertEquals(UserTier.HIGH_END, t.userTier());
        assertEquals(1, t.pooledGpus());
        assertEquals(">=24gb (High-End Consumer / Professional): 1 NVIDIA GPU, 24 GiB of VRAM", t.explain());
    }

    @Test
    void twoA100sArePooledIntoFlagship() {
        NodeTier t = NodeTier.of(NvidiaSmi.parseQuery(Fixtures.text("nvidia-smi-a100-pcie-x2.csv")));
        assertEquals(UserTier.FLAGSHIP, t.userTier());
        assertEquals(UserTier.HIGH_END, t.largestTier());
        assertEquals(2 * 40960L << 20, t.pooledBytes());
        assertEquals(">=48gb (Flagship): 2 NVIDIA GPUs pooled, 80 GiB of VRAM (largest GPU alone: >=24gb)", t.explain());
    }

    @Test
    void rtx3060IsMidRange() {
        assertEquals(UserTier.MID_RANGE, NodeTier.of(NvidiaSmi.parseQuery(Fixtures.text("nvidia-smi-rtx3060.csv"))).userTier());
    }

    @Test
    void appleUnifiedMemory() {
        List<Gpu> gpus = SystemProfiler.parseDisplays(Fixtures.text("system-profiler-m3pro.json"), OptionalLong.of(18L << 30));
        NodeTier t = NodeTier.of(gpus);
        assertEquals(UserTier.MID_RANGE, t.userTier());
        assertEquals(">=12gb (Mid-Range): 1 Apple GPU, 18 GiB of unified memory", t.explain());
    }

    @Test
    void noGpuOrUnknownMemoryIsCpu() {
        assertEquals(UserTier.CPU, NodeTier.of(List.of()).userTier());
        NodeTier lspciOnly = NodeTier.of(Lspci.parse(Fixtures.text("lspci-intel-nvidia.txt")));
        assertEquals(UserTier.CPU, lspciOnly.userTier());
        assertEquals("cpu (CPU-Only): no GPU with known memory", lspciOnly.explain());
    }

    @Test
    void vendorsAreNotPooledTogether() {
        List<Gpu> gpus = new ArrayList<>(NvidiaSmi.parseQuery(Fixtures.text("nvidia-smi-rtx3060.csv")));
        gpus.add(new Gpu(GpuVendor.AMD, 0, "AMD Radeon RX 7600", OptionalLong.of(8176L << 20), OptionalLong.empty(), OptionalInt.empty(),
                Optional.empty(), Optional.empty(), false, DetectionSource.AMD));
        NodeTier t = NodeTier.of(gpus);
        assertEquals(GpuVendor.NVIDIA, t.pooledVendor().orElseThrow());
        assertEquals(UserTier.MID_RANGE, t.userTier());
    }
}
