package io.infernet.hardware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NvidiaSmiTest {
    private static final long MIB = 1L << 20;

    @Test
    void rtx4090() {
        List<Gpu> gpus = NvidiaSmi.parseQuery(Fixtures.text("nvidia-smi-rtx4090.csv"));
        assertEquals(List.of(new Gpu(GpuVendor.NVIDIA, 0, "NVIDIA GeForce RTX 4090", OptionalLong.of(24564 * MIB), OptionalLong.of(23687 * MIB),
                OptionalInt.of(3), Optional.of("0000:01:00.0"), Optional.of("550.54.14"), false, DetectionSource.NVIDIA)), gpus);
        // 24564 MiB is below the 24576 MiB cut: 16-24gb on the wire, as the JavaScript node reports a 4090.
        assertEquals(WireTier.GB_16_TO_24, gpus.getFirst().wireTier());
    }

    @Test
    void h100x8() {
        List<Gpu> gpus = NvidiaSmi.parseQuery(Fixtures.text("nvidia-smi-h100x8.csv"));
        assertEquals(8, gpus.size());
        String[] bus = {"18", "2a", "3a", "5d", "9a", "ab", "ba", "db"};
        int[] util = {0, 0, 35, 97, 0, 0, 0, 0};
        long[] free = {81004, 81004, 43210, 1219, 81004, 81004, 81004, 81004};
        for (int i = 0; i < 8; i++) {
            Gpu g = gpus.get(i);
            assertEquals(i, g.index());
            assertEquals("NVIDIA H100 80GB HBM3", g.model());
            assertEquals(OptionalLong.of(81559 * MIB), g.vramTotalBytes());
            assertEquals(OptionalLong.of(free[i] * MIB), g.vramFreeBytes());
            assertEquals(OptionalInt.of(util[i]), g.utilizationPercent());
            assertEquals(Optional.of("0000:" + bus[i] + ":00.0"), g.pciBusId());
            assertEquals(Optional.of("535.161.08"), g.driver());
            assertEquals(WireTier.GB_48_AND_UP, g.wireTier());
        }
    }

    @Test
    void a100PcieX2() {
        List<Gpu> gpus = NvidiaSmi.parseQuery(Fixtures.text("nvidia-smi-a100-pcie-x2.csv"));
        assertEquals(2, gpus.size());
        assertEquals("NVIDIA A100-PCIE-40GB", gpus.get(1).model());
        assertEquals(OptionalLong.of(40960 * MIB), gpus.get(1).vramTotalBytes());
        assertEquals(Optional.of("0000:d8:00.0"), gpus.get(1).pciBusId());
        assertEquals(WireTier.GB_24_TO_48, gpus.get(0).wireTier());
    }

    @Test
    void rtx3060WithUtilizationNotAvailable() {
        Gpu g = NvidiaSmi.parseQuery(Fixtures.text("nvidia-smi-rtx3060.csv")).getFirst();
        assertEquals("NVIDIA GeForce RTX 3060", g.model());
        assertEquals(OptionalLong.of(12288 * MIB), g.vramTotalBytes());
        assertEquals(OptionalLong.of(11826 * MIB), g.vramFreeBytes());
        assertEquals(OptionalInt.empty(), g.utilizationPercent());
        assertEquals(WireTier.GB_8_TO_16, g.wireTier());
    }

    @Test
    void garbledOutputFailsNamingTheLine() {
        var e = assertThrows(UnreadableOutputException.class, () -> NvidiaSmi.parseQuery(Fixtures.text("nvidia-smi-garbled.txt")));
        assertEquals("line 2 has 2 fields, expected 7: '1, NVIDIA GeForce RTX 40???[?25l#@!'", e.getMessage());
    }

    @Test
    void nonNumericMemoryFails() {
        var e = assertThrows(UnreadableOutputException.class,
                () -> NvidiaSmi.parseQuery("0, NVIDIA GeForce RTX 4090, lots, 1, 0, 00000000:01:00.0, 550.54.14\n"));
        assertEquals("line 1: memory.total is not a number: 'lots'", e.getMessage());
    }

    @Test
    void topologyH100AllToAllNv18() {
        Set<GpuLinks.Pair> pairs = NvidiaSmi.parseTopology(Fixtures.text("nvidia-topo-h100x8.txt"));
        assertEquals(28, pairs.size());
        GpuLinks links = GpuLinks.of(pairs, OptionalInt.of(NvidiaSmi.parseActiveLinks(Fixtures.text("nvidia-nvlink-status-h100x8.txt"))));
        assertEquals(new GpuLinks(true, "all-to-all", 28, OptionalInt.of(144)), links);
    }

    @Test
    void topologyA100PcieHasNoNvlink() {
        assertEquals(Set.of(), NvidiaSmi.parseTopology(Fixtures.text("nvidia-topo-a100-pcie-x2.txt")));
        assertEquals(0, NvidiaSmi.parseActiveLinks(Fixtures.text("nvidia-nvlink-status-a100-pcie-x2.txt")));
    }

    @Test
    void topologySingleGpuWithAnsiHeader() {
        assertEquals(Set.of(), NvidiaSmi.parseTopology(Fixtures.text("nvidia-topo-rtx4090.txt")));
    }

    @Test
    void twoBridgesAreAMeshOfTwoPairs() {
        Set<GpuLinks.Pair> pairs = NvidiaSmi.parseTopology(Fixtures.text("nvidia-topo-2bridges.txt"));
        assertEquals(Set.of(new GpuLinks.Pair(0, 1), new GpuLinks.Pair(2, 3)), pairs);
        assertEquals(new GpuLinks(true, "mesh", 2, OptionalInt.empty()), GpuLinks.of(pairs, OptionalInt.empty()));
    }

    @Test
    void topologyWithoutHeaderFails() {
        assertThrows(UnreadableOutputException.class, () -> NvidiaSmi.parseTopology("nothing to see\n"));
    }

    @Test
    void sourceReasonWhenToolMissing() {
        SourceReport r = NvidiaSource.detect(new FakeTools());
        assertFalse(r.found());
        assertEquals(Optional.of("nvidia-smi not found on PATH"), r.reason());
    }

    @Test
    void sourceReasonOnDriverError() {
        FakeTools tools = new FakeTools().answer(NvidiaSmi.QUERY,
                new ToolResult.Completed(9, Fixtures.text("nvidia-smi-driver-error.txt"), ""));
        SourceReport r = NvidiaSource.detect(tools);
        assertEquals(Optional.of("nvidia-smi exited with code 9: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. "
                + "Make sure that the latest NVIDIA driver is installed and running."), r.reason());
    }

    @Test
    void sourceReasonPrefersStderr() {
        FakeTools tools = new FakeTools().answer(NvidiaSmi.QUERY,
                new ToolResult.Completed(18, "", "\nFailed to initialize NVML: Driver/library version mismatch\nNVML library version: 550.54\n"));
        assertEquals(Optional.of("nvidia-smi exited with code 18: Failed to initialize NVML: Driver/library version mismatch"),
                NvidiaSource.detect(tools).reason());
    }

    @Test
    void sourceReasonOnGarbledOutput() {
        FakeTools tools = new FakeTools().ok(NvidiaSmi.QUERY, "nvidia-smi-garbled.txt");
        assertEquals(Optional.of("could not read nvidia-smi output: line 2 has 2 fields, expected 7: '1, NVIDIA GeForce RTX 40???[?25l#@!'"),
                NvidiaSource.detect(tools).reason());
    }

    @Test
    void sourceWithNvlink() {
        FakeTools tools = new FakeTools()
                .ok(NvidiaSmi.QUERY, "nvidia-smi-h100x8.csv")
                .ok(NvidiaSmi.TOPOLOGY, "nvidia-topo-h100x8.txt")
                .ok(NvidiaSmi.NVLINK_STATUS, "nvidia-nvlink-status-h100x8.txt");
        SourceReport r = NvidiaSource.detect(tools);
        assertTrue(r.found());
        assertEquals(8, r.gpus().size());
        assertEquals(new GpuLinks(true, "all-to-all", 28, OptionalInt.of(144)), r.links());
        assertEquals(List.of(), r.notes());
    }

    @Test
    void singleGpuDoesNotAskForTopology() {
        FakeTools tools = new FakeTools().ok(NvidiaSmi.QUERY, "nvidia-smi-rtx4090.csv");
        SourceReport r = NvidiaSource.detect(tools);
        assertEquals(GpuLinks.NONE, r.links());
        assertEquals(List.of(String.join(" ", NvidiaSmi.QUERY)), tools.ran);
    }

    @Test
    void topologyFailureIsANoteNotAFailure() {
        FakeTools tools = new FakeTools().ok(NvidiaSmi.QUERY, "nvidia-smi-a100-pcie-x2.csv")
                .answer(NvidiaSmi.TOPOLOGY, new ToolResult.Completed(2, "", "Invalid combination of input arguments."));
        SourceReport r = NvidiaSource.detect(tools);
        assertEquals(2, r.gpus().size());
        assertEquals(GpuLinks.NONE.topology(), r.links().topology());
        assertEquals(List.of("NVLink topology unknown: nvidia-smi topo -m exited with code 2: Invalid combination of input arguments.",
                "NVLink link count unknown: nvidia-smi not found on PATH"), r.notes());
    }
}
