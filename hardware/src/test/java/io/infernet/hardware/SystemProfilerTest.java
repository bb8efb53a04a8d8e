package io.infernet.hardware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class SystemProfilerTest {

    @Test
    void m2MaxUsesUnifiedMemory() {
        long mem = SystemProfiler.parseMemsize(Fixtures.text("sysctl-memsize-m2max.txt"));
        assertEquals(68_719_476_736L, mem);
        List<Gpu> gpus = SystemProfiler.parseDisplays(Fixtures.text("system-profiler-m2max.json"), OptionalLong.of(mem));
        assertEquals(List.of(new Gpu(GpuVendor.APPLE, 0, "Apple M2 Max", OptionalLong.of(mem), OptionalLong.empty(), OptionalInt.empty(),
                Optional.empty(), Optional.empty(), true, DetectionSource.APPLE)), gpus);
        assertEquals(WireTier.GB_48_AND_UP, gpus.getFirst().wireTier());
    }

    @Test
    void m3ProWithExternalDisplay() {
        long mem = SystemProfiler.parseMemsize(Fixtures.text("sysctl-memsize-m3pro.txt"));
        Gpu g = SystemProfiler.parseDisplays(Fixtures.text("system-profiler-m3pro.json"), OptionalLong.of(mem)).getFirst();
        assertEquals("Apple M3 Pro", g.model());
        assertEquals(OptionalLong.of(18L << 30), g.vramTotalBytes());
        assertEquals(WireTier.GB_16_TO_24, g.wireTier());
        assertEquals(UserTier.MID_RANGE, UserTier.forVram(g.vramTotalBytes()));
    }

    @Test
    void unifiedMemoryUnknownWithoutMemsize() {
        Gpu g = SystemProfiler.parseDisplays(Fixtures.text("system-profiler-m2max.json"), OptionalLong.empty()).getFirst();
        assertEquals(OptionalLong.empty(), g.vramTotalBytes());
        assertEquals(WireTier.UNKNOWN, g.wireTier());
    }

    @Test
    void intelMacWithDiscreteAmd() {
        List<Gpu> gpus = SystemProfiler.parseDisplays(Fixtures.text("system-profiler-intel-mac.json"), OptionalLong.of(32L << 30));
        assertEquals(2, gpus.size());
        assertEquals(GpuVendor.INTEL, gpus.get(0).vendor());
        assertEquals(OptionalLong.of(1536L << 20), gpus.get(0).vramTotalBytes());
        assertEquals(GpuVendor.AMD, gpus.get(1).vendor());
        assertEquals("AMD Radeon Pro 5500M", gpus.get(1).model());
        assertEquals(OptionalLong.of(8L << 30), gpus.get(1).vramTotalBytes());
        assertEquals(false, gpus.get(1).unifiedMemory());
    }

    @Test
    void memsizeWithName() {
        assertEquals(17_179_869_184L, SystemProfiler.parseMemsize("hw.memsize: 17179869184\n"));
        assertThrows(UnreadableOutputException.class, () -> SystemProfiler.parseMemsize("sysctl: unknown oid 'hw.memsize'"));
    }

    @Test
    void notJson() {
        assertThrows(UnreadableOutputException.class, () -> SystemProfiler.parseDisplays("<?xml version=\"1.0\"?>", OptionalLong.empty()));
        assertThrows(UnreadableOutputException.class, () -> SystemProfiler.parseDisplays("{\"SPHardwareDataType\": []}", OptionalLong.empty()));
    }

    @Test
    void sourceOnMacAndElsewhere() {
        FakeTools tools = new FakeTools().ok(SystemProfiler.DISPLAYS, "system-profiler-m2max.json").ok(SystemProfiler.MEMSIZE, "sysctl-memsize-m2max.txt");
        SourceReport mac = AppleSource.detect(tools, OsKind.MAC);
        assertEquals(OptionalLong.of(64L << 30), mac.gpus().getFirst().vramTotalBytes());
        SourceReport linux = AppleSource.detect(tools, OsKind.LINUX);
        assertEquals(Optional.of("system_profiler is macOS only (this is linux)"), linux.reason());
    }
}
