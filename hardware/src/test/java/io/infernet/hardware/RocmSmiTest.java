package io.infernet.hardware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RocmSmiTest {

    @Test
    void mi300xTimesEight() {
        List<Gpu> gpus = RocmSmi.parseDevices(Fixtures.text("rocm-smi-mi300x-x8.json"));
        assertEquals(8, gpus.size());
        for (int i = 0; i < 8; i++) {
            Gpu g = gpus.get(i);
            assertEquals(i, g.index());
            assertEquals(GpuVendor.AMD, g.vendor());
            assertEquals("AMD Instinct MI300X OAM", g.model());
            assertEquals(OptionalLong.of(205_822_885_888L), g.vramTotalBytes());
            long used = i == 4 ? 297_025_536L + 17_179_869_184L : 297_025_536L;
            assertEquals(OptionalLong.of(205_822_885_888L - used), g.vramFreeBytes());
            assertEquals(OptionalInt.of(i == 4 ? 12 : 0), g.utilizationPercent());
            assertEquals(WireTier.GB_48_AND_UP, g.wireTier());
        }
    }

    @Test
    void rx7900xtxOlderKeySpelling() {
        Gpu g = RocmSmi.parseDevices(Fixtures.text("rocm-smi-rx7900xtx.json")).getFirst();
        assertEquals(new Gpu(GpuVendor.AMD, 0, "Navi 31 [Radeon RX 7900 XT/7900 XTX]", OptionalLong.of(25_753_026_560L),
                OptionalLong.of(25_753_026_560L - 1_417_293_824L), OptionalInt.of(2), Optional.empty(), Optional.empty(), false,
                DetectionSource.AMD), g);
        // 24560 MiB: 16-24gb on the wire (exact cut), >=24gb for users (within 1% of 24 GiB).
        assertEquals(WireTier.GB_16_TO_24, g.wireTier());
        assertEquals(UserTier.HIGH_END, UserTier.forVram(g.vramTotalBytes()));
    }

    @Test
    void warningLinesBeforeTheJsonAreSkipped() {
        assertEquals(RocmSmi.parseDevices(Fixtures.text("rocm-smi-rx7900xtx.json")),
                RocmSmi.parseDevices(Fixtures.text("rocm-smi-warning-prefix.json")));
    }

    @Test
    void garbledJsonFails() {
        var e = assertThrows(UnreadableOutputException.class, () -> RocmSmi.parseDevices(Fixtures.text("rocm-smi-garbled.json")));
        assertTrue(e.getMessage().startsWith("output is not valid JSON ("), e.getMessage());
    }

    @Test
    void noJsonAtAllFails() {
        var e = assertThrows(UnreadableOutputException.class, () -> RocmSmi.parseDevices("ERROR: GPU[0]: Unable to get product name\n"));
        assertEquals("no JSON object in output: 'ERROR: GPU[0]: Unable to get product name'", e.getMessage());
    }

    @Test
    void xgmiAllToAll() {
        Set<GpuLinks.Pair> pairs = RocmSmi.parseTopology(Fixtures.text("rocm-topotype-mi300x-x8.json"));
        assertEquals(28, pairs.size());
        assertEquals(new GpuLinks(true, "all-to-all", 28, OptionalInt.empty()), GpuLinks.of(pairs, OptionalInt.empty()));
    }

    @Test
    void pcieLinksAreNotXgmi() {
        assertEquals(Set.of(), RocmSmi.parseTopology(Fixtures.text("rocm-topotype-2x-pcie.json")));
    }

    @Test
    void sourceAsksTopologyForSeveralGpus() {
        FakeTools tools = new FakeTools().ok(RocmSmi.QUERY, "rocm-smi-mi300x-x8.json").ok(RocmSmi.TOPOLOGY, "rocm-topotype-mi300x-x8.json");
        SourceReport r = AmdSource.detect(tools);
        assertEquals(8, r.gpus().size());
        assertEquals("all-to-all", r.links().topology());
        assertEquals(28, r.links().gpuPairs());
    }

    @Test
    void sourceReasons() {
        assertEquals(Optional.of("rocm-smi not found on PATH"), AmdSource.detect(new FakeTools()).reason());
        FakeTools broken = new FakeTools().ok(RocmSmi.QUERY, "rocm-smi-garbled.json");
        assertTrue(AmdSource.detect(broken).reason().orElseThrow().startsWith("could not read rocm-smi output: output is not valid JSON"));
        FakeTools failing = new FakeTools().answer(RocmSmi.QUERY,
                new ToolResult.Completed(2, "", "ERROR:root:Driver not initialized (amdgpu not found in modules)\n"));
        assertEquals(Optional.of("rocm-smi exited with code 2: ERROR:root:Driver not initialized (amdgpu not found in modules)"),
                AmdSource.detect(failing).reason());
    }
}
