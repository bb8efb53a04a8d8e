package io.infernet.hardware;

import io.infernet.runtime.BackendDevice;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class GpuMergeTest {

    private static SourceReport nvidia(String fixture) {
        return SourceReport.found(DetectionSource.NVIDIA, NvidiaSmi.parseQuery(Fixtures.text(fixture)), GpuLinks.NONE, List.of());
    }

    private static SourceReport lspci(String fixture) {
        return SourceReport.found(DetectionSource.LSPCI, Lspci.parse(Fixtures.text(fixture)), GpuLinks.NONE, List.of());
    }

    private static final SourceReport NO_AMD = SourceReport.none(DetectionSource.AMD, "rocm-smi not found on PATH");
    private static final SourceReport NO_APPLE = SourceReport.none(DetectionSource.APPLE, "macOS only");
    private static final SourceReport NO_NVIDIA = SourceReport.none(DetectionSource.NVIDIA, "nvidia-smi not found on PATH");

    @Test
    void vendorToolWinsOverLspciOfTheSameVendor() {
        List<Gpu> gpus = GpuMerge.merge(List.of(nvidia("nvidia-smi-rtx4090.csv"), NO_AMD, NO_APPLE), lspci("lspci-intel-nvidia.txt"), List.of());
        // The lspci NVIDIA entry is dropped (nvidia-smi covers NVIDIA); the Intel iGPU only lspci sees stays, tier unknown.
        assertEquals(List.of("NVIDIA GeForce RTX 4090", "Intel Alder Lake-P GT2 [Iris Xe Graphics]"), gpus.stream().map(Gpu::model).toList());
        assertEquals(List.of(DetectionSource.NVIDIA, DetectionSource.LSPCI), gpus.stream().map(Gpu::source).toList());
    }

    @Test
    void lspciFillsInWhenTheDriverIsMissing() {
        List<Gpu> gpus = GpuMerge.merge(List.of(NO_NVIDIA, NO_AMD, NO_APPLE), lspci("lspci-intel-nvidia.txt"), List.of());
        assertEquals(2, gpus.size());
        assertEquals(WireTier.UNKNOWN, gpus.get(1).wireTier());
    }

    @Test
    void inProcessFillsAppleFreeMemory() {
        SourceReport apple = SourceReport.found(DetectionSource.APPLE,
                SystemProfiler.parseDisplays(Fixtures.text("system-profiler-m2max.json"), OptionalLong.of(64L << 30)), GpuLinks.NONE, List.of());
        List<BackendDevice> devices = List.of(
                new BackendDevice("Metal", "Apple M2 Max", BackendDevice.Type.GPU, 40L << 30, 48L << 30, ""),
                new BackendDevice("CPU", "Apple M2 Max", BackendDevice.Type.CPU, 30L << 30, 64L << 30, ""));
        List<Gpu> gpus = GpuMerge.merge(List.of(NO_NVIDIA, NO_AMD, apple), SourceReport.none(DetectionSource.LSPCI, "n/a"), devices);
        assertEquals(1, gpus.size());
        assertEquals(OptionalLong.of(64L << 30), gpus.getFirst().vramTotalBytes()); // vendor tool's total kept
        assertEquals(OptionalLong.of(40L << 30), gpus.getFirst().vramFreeBytes()); // free from the in-process view
    }

    @Test
    void vendorFreeIsNotOverwritten() {
        List<BackendDevice> devices = List.of(new BackendDevice("CUDA0", "NVIDIA GeForce RTX 4090", BackendDevice.Type.GPU, 1L << 30, 24L << 30, ""));
        Gpu g = GpuMerge.merge(List.of(nvidia("nvidia-smi-rtx4090.csv"), NO_AMD, NO_APPLE), SourceReport.none(DetectionSource.LSPCI, "n/a"), devices).getFirst();
        assertEquals(OptionalLong.of(23687L << 20), g.vramFreeBytes());
    }

    @Test
    void inProcessGpuStandsInForAMissingTool() {
        List<BackendDevice> devices = List.of(
                new BackendDevice("CUDA0", "NVIDIA GeForce RTX 3050 Laptop GPU", BackendDevice.Type.GPU, 3L << 30, 4L << 30, ""));
        List<Gpu> gpus = GpuMerge.merge(List.of(NO_NVIDIA, NO_AMD, NO_APPLE), lspci("lspci-intel-nvidia.txt"), devices);
        // The CUDA device replaces lspci's NVIDIA entry (it knows the memory); Intel stays from lspci.
        assertEquals(List.of("NVIDIA GeForce RTX 3050 Laptop GPU", "Intel Alder Lake-P GT2 [Iris Xe Graphics]"), gpus.stream().map(Gpu::model).toList());
        assertEquals(DetectionSource.IN_PROCESS, gpus.getFirst().source());
        assertEquals(WireTier.UNDER_8GB, gpus.getFirst().wireTier());
    }
}
