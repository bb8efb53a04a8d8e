package io.infernet.hardware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinuxProcTest {

    @Test
    void twoSocketXeon() {
        LinuxProc.CpuFacts f = LinuxProc.parseCpuInfo(Fixtures.text("cpuinfo-2socket.txt"));
        assertEquals(new LinuxProc.CpuFacts(Optional.of("intel"), Optional.of("Intel(R) Xeon(R) Platinum 8462Y+"), 8, OptionalInt.of(4)), f);
    }

    @Test
    void gravitonHasNoCoreIds() {
        LinuxProc.CpuFacts f = LinuxProc.parseCpuInfo(Fixtures.text("cpuinfo-graviton.txt"));
        assertEquals(new LinuxProc.CpuFacts(Optional.of("arm"), Optional.empty(), 4, OptionalInt.empty()), f);
    }

    @Test
    void epycVm() {
        LinuxProc.CpuFacts f = LinuxProc.parseCpuInfo(Fixtures.text("cpuinfo-epyc-vm.txt"));
        assertEquals(new LinuxProc.CpuFacts(Optional.of("amd"), Optional.of("AMD EPYC"), 2, OptionalInt.of(2)), f);
    }

    @Test
    void meminfo() {
        assertEquals(new MemInfo(24_684_092L * 1024, 24_349_824L * 1024), LinuxProc.parseMemInfo(Fixtures.text("meminfo.txt")));
    }

    @Test
    void meminfoBeforeMemAvailable() {
        long free = (1_048_576L + 262_144L + 2_097_152L) * 1024;
        assertEquals(new MemInfo(8_062_332L * 1024, free), LinuxProc.parseMemInfo(Fixtures.text("meminfo-old-kernel.txt")));
    }

    @Test
    void meminfoWithoutTotalFails() {
        assertThrows(UnreadableOutputException.class, () -> LinuxProc.parseMemInfo("MemFree: 100 kB\n"));
    }

    @Test
    void loadavg() {
        assertEquals(0.52, LinuxProc.parseLoadAvg(Fixtures.text("loadavg.txt")));
        assertThrows(UnreadableOutputException.class, () -> LinuxProc.parseLoadAvg("busy\n"));
    }

    @Test
    void numaNodes(@TempDir Path sys) throws IOException {
        assertEquals(1, LinuxProc.countNumaNodes(sys));
        Path nodes = Files.createDirectories(sys.resolve("devices/system/node"));
        Files.createDirectories(nodes.resolve("node0"));
        Files.createDirectories(nodes.resolve("node1"));
        Files.writeString(nodes.resolve("online"), "0-1\n");
        Files.createDirectories(nodes.resolve("power"));
        assertEquals(2, LinuxProc.countNumaNodes(sys));
    }

    @Test
    void archInNodeWords() {
        assertEquals("x64", CpuInfo.wireArch("amd64"));
        assertEquals("arm64", CpuInfo.wireArch("aarch64"));
        assertEquals("riscv64", CpuInfo.wireArch("riscv64"));
    }
}
