package io.infernet.hardware;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class LspciTest {

    @Test
    void laptopWithIntelAndNvidia() {
        List<Gpu> gpus = Lspci.parse(Fixtures.text("lspci-intel-nvidia.txt"));
        assertEquals(List.of(
                new Gpu(GpuVendor.INTEL, 0, "Intel Alder Lake-P GT2 [Iris Xe Graphics]", OptionalLong.empty(), OptionalLong.empty(),
                        OptionalInt.empty(), Optional.of("0000:00:02.0"), Optional.empty(), false, DetectionSource.LSPCI),
                new Gpu(GpuVendor.NVIDIA, 1, "NVIDIA GA107M [GeForce RTX 3050 Mobile]", OptionalLong.empty(), OptionalLong.empty(),
                        OptionalInt.empty(), Optional.of("0000:01:00.0"), Optional.empty(), false, DetectionSource.LSPCI)), gpus);
        assertEquals(WireTier.UNKNOWN, gpus.get(1).wireTier());
    }

    @Test
    void serverSkipsTheBmcVga() {
        List<Gpu> gpus = Lspci.parse(Fixtures.text("lspci-server-aspeed-nvidia.txt"));
        assertEquals(List.of("NVIDIA AD102GL [L40S]", "AMD Aqua Vanjaram [Instinct MI300X]"), gpus.stream().map(Gpu::model).toList());
        assertEquals(List.of(GpuVendor.NVIDIA, GpuVendor.AMD), gpus.stream().map(Gpu::vendor).toList());
        assertEquals(Optional.of("0000:c1:00.0"), gpus.get(1).pciBusId());
    }

    @Test
    void vmWithoutGpu() {
        assertEquals(List.of(), Lspci.parse(Fixtures.text("lspci-none.txt")));
        SourceReport r = LspciSource.detect(new FakeTools().ok(Lspci.COMMAND, "lspci-none.txt"));
        assertEquals(Optional.of("lspci lists no VGA/3D/display controller from NVIDIA, AMD or Intel"), r.reason());
    }

    @Test
    void missingTool() {
        assertEquals(Optional.of("lspci not found on PATH"), LspciSource.detect(new FakeTools()).reason());
    }
}
