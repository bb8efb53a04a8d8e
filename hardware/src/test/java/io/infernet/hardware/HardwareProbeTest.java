package io.infernet.hardware;

import io.infernet.runtime.BackendDevice;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HardwareProbeTest {

    @Test
    void h100ServerWithInfiniband(@TempDir Path root) {
        FixtureMachine m = new FixtureMachine(root).proc("cpuinfo-2socket.txt", "meminfo.txt", "loadavg.txt", 2).infinibandPorts(8);
        m.tools.ok(NvidiaSmi.QUERY, "nvidia-smi-h100x8.csv").ok(NvidiaSmi.TOPOLOGY, "nvidia-topo-h100x8.txt")
                .ok(NvidiaSmi.NVLINK_STATUS, "nvidia-nvlink-status-h100x8.txt").ok(Lspci.COMMAND, "lspci-server-aspeed-nvidia.txt");
        HardwareReport r = m.detect();
        assertEquals(new CpuInfo(Optional.of("intel"), Optional.of("Intel(R) Xeon(R) Platinum 8462Y+"), "x64", 4, 8, 2), r.cpu());
        assertEquals(OptionalDouble.of(0.52), r.loadAvg1m());
        assertEquals(List.of("nvidia", "amd", "apple", "lspci", "in-process"), r.sources().stream().map(s -> s.source().id()).toList());
        // lspci's NVIDIA entry is covered by nvidia-smi; its AMD MI300X entry is not (no rocm-smi), so it stays, tier unknown.
        assertEquals(9, r.gpus().size());
        assertEquals("AMD Aqua Vanjaram [Instinct MI300X]", r.gpus().get(8).model());
        assertEquals(8, r.interconnects().infiniband().activePortCount());
        assertTrue(r.interconnects().rdmaCapable());
        assertEquals(UserTier.FLAGSHIP, r.tier().userTier());
        assertEquals(FixtureMachine.NOW, r.detectedAt());
        assertEquals(List.of(), r.notes());
    }

    @Test
    void refreshRerunsOnlyTheQueries(@TempDir Path root) {
        FixtureMachine m = new FixtureMachine(root).proc("cpuinfo-2socket.txt", "meminfo.txt", "loadavg.txt", 2);
        m.tools.ok(NvidiaSmi.QUERY, "nvidia-smi-a100-pcie-x2.csv").ok(NvidiaSmi.TOPOLOGY, "nvidia-topo-a100-pcie-x2.txt")
                .ok(NvidiaSmi.NVLINK_STATUS, "nvidia-nvlink-status-a100-pcie-x2.txt");
        HardwareProbe probe = m.probe();
        HardwareReport first = probe.detect();
        m.tools.ran.clear();
        m.tools.answer(NvidiaSmi.QUERY, new ToolResult.Completed(0,
                "0, NVIDIA A100-PCIE-40GB, 40960, 1000, 99, 00000000:3B:00.0, 525.125.06\n"
                        + "1, NVIDIA A100-PCIE-40GB, 40960, 40333, 0, 00000000:D8:00.0, 525.125.06\n", ""));
        HardwareReport next = probe.refresh(first);
        assertEquals(List.of(String.join(" ", NvidiaSmi.QUERY)), m.tools.ran); // no topo, no lspci, no rocm-smi
        assertEquals(java.util.OptionalLong.of(1000L << 20), next.gpus().getFirst().vramFreeBytes());
        assertEquals(java.util.OptionalInt.of(99), next.gpus().getFirst().utilizationPercent());
        assertEquals(first.interconnects(), next.interconnects());
        assertEquals(first.source(DetectionSource.AMD), next.source(DetectionSource.AMD));

        m.tools.answer(NvidiaSmi.QUERY, new ToolResult.Completed(9, Fixtures.text("nvidia-smi-driver-error.txt"), ""));
        HardwareReport kept = probe.refresh(next);
        assertEquals(next.gpus(), kept.gpus());
        assertEquals(List.of("refresh kept the previous nvidia GPUs: nvidia-smi exited with code 9: NVIDIA-SMI has failed because it "
                + "couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running."), kept.notes());
    }

    @Test
    void bareVmHasReasonsFromEverySource(@TempDir Path root) {
        FixtureMachine m = new FixtureMachine(root).proc("cpuinfo-epyc-vm.txt", "meminfo.txt", "loadavg.txt", 1);
        HardwareReport r = m.detect();
        assertEquals(List.of(), r.gpus());
        assertEquals(List.of(
                "nvidia-smi not found on PATH",
                "rocm-smi not found on PATH",
                "system_profiler is macOS only (this is linux)",
                "lspci not found on PATH",
                "the in-process ggml backend view is not wired into this node yet"),
                r.sources().stream().map(s -> s.reason().orElseThrow()).toList());
        assertEquals(UserTier.CPU, r.tier().userTier());
        assertEquals(2, r.cpu().physicalCores());
    }

    @Test
    void macWithM2Max(@TempDir Path root) {
        FixtureMachine m = new FixtureMachine(root);
        m.os = OsKind.MAC;
        m.tools.ok(SystemProfiler.DISPLAYS, "system-profiler-m2max.json").ok(SystemProfiler.MEMSIZE, "sysctl-memsize-m2max.txt")
                .answer(List.of("sysctl", "-n", "machdep.cpu.brand_string"), new ToolResult.Completed(0, "Apple M2 Max\n", ""))
                .answer(List.of("sysctl", "-n", "hw.physicalcpu"), new ToolResult.Completed(0, "12\n", ""))
                .answer(List.of("sysctl", "-n", "hw.logicalcpu"), new ToolResult.Completed(0, "12\n", ""));
        m.inProcess = new BackendDeviceSource() {
            @Override
            public List<BackendDevice> devices() {
                return List.of(new BackendDevice("Metal", "Apple M2 Max", BackendDevice.Type.GPU, 45L << 30, 48L << 30, ""));
            }

            @Override
            public String unavailableReason() {
                return "unused";
            }
        };
        HardwareReport r = m.detect();
        assertEquals(new CpuInfo(Optional.of("apple"), Optional.of("Apple M2 Max"), "x64", 12, 12, 1), r.cpu());
        assertEquals(64L << 30, r.memory().totalBytes());
        assertEquals(1, r.gpus().size());
        assertEquals(java.util.OptionalLong.of(45L << 30), r.gpus().getFirst().vramFreeBytes());
        assertEquals(UserTier.FLAGSHIP, r.tier().userTier());
        assertEquals(Optional.of("lspci is used on Linux only"), r.source(DetectionSource.LSPCI).reason());
        assertEquals(OptionalDouble.of(9.99), r.loadAvg1m()); // from the JVM on macOS
    }

    @Test
    void missingProcFilesFallBackToTheJvmWithNotes(@TempDir Path root) {
        HardwareReport r = new FixtureMachine(root).detect();
        assertEquals(16L << 30, r.memory().totalBytes());
        assertEquals(2, r.cpu().physicalCores());
        assertTrue(r.notes().stream().anyMatch(n -> n.startsWith("could not read " + root.resolve("proc/cpuinfo"))), r.notes().toString());
    }
}
