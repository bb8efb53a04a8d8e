package io.infernet.hardware;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.infernet.hardware.fit.FitEstimator;
import io.infernet.hardware.fit.MemoryBudget;
import io.infernet.hardware.fit.ModelCatalog;
import io.infernet.hardware.fit.Quant;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DoctorChecksTest {
    private static final long GIB = 1L << 30;

    @Test
    void noGpuWarnsWithEveryReason(@TempDir Path root) {
        HardwareReport r = new FixtureMachine(root).proc("cpuinfo-epyc-vm.txt", "meminfo.txt", "loadavg.txt", 1).detect();
        Check c = DoctorChecks.gpu(r);
        assertEquals("[WARN] GPU: no GPU found; this node serves on CPU (tier cpu)", c.line());
        assertEquals(List.of("nvidia: nvidia-smi not found on PATH", "amd: rocm-smi not found on PATH",
                "apple: system_profiler is macOS only (this is linux)", "lspci: lspci not found on PATH",
                "in-process: the in-process ggml backend view is not wired into this node yet"), c.more());
    }

    @Test
    void gpuFoundPasses(@TempDir Path root) {
        FixtureMachine m = new FixtureMachine(root).proc("cpuinfo-epyc-vm.txt", "meminfo.txt", "loadavg.txt", 1);
        m.tools.ok(NvidiaSmi.QUERY, "nvidia-smi-rtx4090.csv");
        assertEquals("[PASS] GPU: 1 GPU (NVIDIA GeForce RTX 4090); node tier >=24gb (High-End Consumer / Professional): 1 NVIDIA GPU, 24 GiB of VRAM",
                DoctorChecks.gpu(m.detect()).line());
    }

    @Test
    void gpuOnlyLspciSeesWarnsAboutTheDriver(@TempDir Path root) {
        FixtureMachine m = new FixtureMachine(root).proc("cpuinfo-epyc-vm.txt", "meminfo.txt", "loadavg.txt", 1);
        m.tools.ok(Lspci.COMMAND, "lspci-intel-nvidia.txt")
                .answer(NvidiaSmi.QUERY, new ToolResult.Completed(9, Fixtures.text("nvidia-smi-driver-error.txt"), ""));
        Check c = DoctorChecks.gpu(m.detect());
        assertEquals("[WARN] GPU: lspci sees Intel Alder Lake-P GT2 [Iris Xe Graphics], NVIDIA GA107M [GeForce RTX 3050 Mobile] but no vendor "
                + "tool reports it: install its driver and nvidia-smi or rocm-smi; until then this node serves on CPU (tier cpu)", c.line());
        assertEquals("nvidia: nvidia-smi exited with code 9: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. "
                + "Make sure that the latest NVIDIA driver is installed and running.", c.more().getFirst());
    }

    @Test
    void ramAgainstTheTier() {
        // 16 GB is met from 15.2 GiB (5% slack); 32 GB recommended from 30.4 GiB.
        assertEquals(Check.Status.FAIL, DoctorChecks.ram(new MemInfo(15 * GIB, GIB), UserTier.CPU).status());
        assertEquals("[WARN] RAM: 15.5 GiB RAM (1.0 GiB available); tier cpu needs 16 GB, recommends 32 GB",
                DoctorChecks.ram(new MemInfo(15 * GIB + GIB / 2, GIB), UserTier.CPU).line());
        assertEquals(Check.Status.PASS, DoctorChecks.ram(new MemInfo(31 * GIB, GIB), UserTier.CPU).status());
        assertEquals(Check.Status.FAIL, DoctorChecks.ram(new MemInfo(30 * GIB, GIB), UserTier.HIGH_END).status()); // < 30.4
        assertEquals(Check.Status.WARN, DoctorChecks.ram(new MemInfo(31 * GIB, GIB), UserTier.HIGH_END).status());
        assertEquals(Check.Status.WARN, DoctorChecks.ram(new MemInfo(64 * GIB, GIB), UserTier.FLAGSHIP).status());
        assertEquals(Check.Status.PASS, DoctorChecks.ram(new MemInfo(126 * GIB, GIB), UserTier.FLAGSHIP).status());
    }

    @Test
    void diskAgainstTheTier() {
        long gb = 1_000_000_000L;
        Check fail = DoctorChecks.disk("/m", "/m", 1000 * gb, 17 * gb, UserTier.HIGH_END);
        assertEquals("[FAIL] Disk: model store /m: 15.8 GiB free of 931.3 GiB; one 30B–33B model at Q4 needs about 18 GB", fail.line());
        Check warn = DoctorChecks.disk("/m/models", "/m", 256 * gb, 100 * gb, UserTier.HIGH_END);
        assertEquals("[WARN] Disk: model store /m/models (not created yet; measured at /m): 93.1 GiB free of 238.4 GiB; "
                + "smaller than the 500 GB NVMe the tier recommends", warn.line());
        assertEquals(List.of("tier >=24gb recommends a 500 GB NVMe drive (drive type not checked)"), warn.more());
        assertEquals(Check.Status.PASS, DoctorChecks.disk("/m", "/m", 256 * gb, 100 * gb, UserTier.CPU).status());
        assertEquals(Check.Status.FAIL, DoctorChecks.disk("/m", "/m", 2000 * gb, 39 * gb, UserTier.FLAGSHIP).status());
    }

    @Test
    void modelVerdictsMapToStatuses() {
        MemoryBudget b = new MemoryBudget("test", 8 * GIB, OptionalLong.of(2 * GIB), MemoryBudget.Kind.GPU);
        assertEquals(Check.Status.PASS, DoctorChecks.model("a", FitEstimator.estimate(ModelCatalog.LLAMA_3_2_1B.footprint(Quant.Q4_0), 2048, b)).status());
        assertEquals(Check.Status.WARN, DoctorChecks.model("b", FitEstimator.estimate(ModelCatalog.LLAMA_3_1_8B.footprint(Quant.Q4_0), 2048, b)).status());
        assertEquals(Check.Status.FAIL, DoctorChecks.model("c", FitEstimator.estimate(ModelCatalog.QWEN_2_5_14B.footprint(Quant.Q8_0), 2048, b)).status());
        assertEquals(Check.Status.FAIL, DoctorChecks.worst(List.of(DoctorChecks.unreadableModel("x", "bad"))));
        assertEquals(Check.Status.PASS, DoctorChecks.worst(List.of()));
    }
}
