package io.infernet.hardware;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.OptionalDouble;

/** A machine made of fixture files under a temporary root, plus recorded tool outputs. */
final class FixtureMachine {
    static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");

    final Path root;
    final FakeTools tools = new FakeTools();
    OsKind os = OsKind.LINUX;
    BackendDeviceSource inProcess = BackendDeviceSource.NONE;

    FixtureMachine(Path root) {
        this.root = root;
    }

    /** /proc/cpuinfo, /proc/meminfo, /proc/loadavg from fixtures and {@code numaNodes} NUMA nodes. */
    FixtureMachine proc(String cpuinfo, String meminfo, String loadavg, int numaNodes) {
        try {
            Path proc = Files.createDirectories(root.resolve("proc"));
            Files.writeString(proc.resolve("cpuinfo"), Fixtures.text(cpuinfo));
            Files.writeString(proc.resolve("meminfo"), Fixtures.text(meminfo));
            Files.writeString(proc.resolve("loadavg"), Fixtures.text(loadavg));
            for (int i = 0; i < numaNodes; i++) {
                Files.createDirectories(root.resolve("sys/devices/system/node/node" + i));
            }
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    FixtureMachine infinibandPorts(int active) {
        try {
            for (int i = 0; i < active; i++) {
                RdmaProbeTest.port(root.resolve("sys"), "mlx5_" + i, 1, "4: ACTIVE", "InfiniBand");
            }
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    HardwareProbe probe() {
        JvmFacts jvm = new JvmFacts("amd64", 2, 16L << 30, 8L << 30, OptionalDouble.of(9.99));
        return new HardwareProbe(tools, SystemPaths.under(root), os, inProcess, jvm, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    HardwareReport detect() {
        return probe().detect();
    }
}
