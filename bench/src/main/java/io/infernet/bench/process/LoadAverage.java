package io.infernet.bench.process;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalDouble;

/** The 1-minute load average now: {@code /proc/loadavg} on Linux, the JVM's view elsewhere. */
public final class LoadAverage {
    private LoadAverage() {}

    public static OptionalDouble oneMinute() {
        try {
            String s = Files.readString(Path.of("/proc/loadavg")).strip();
            return OptionalDouble.of(Double.parseDouble(s.substring(0, s.indexOf(' '))));
        } catch (IOException | RuntimeException e) {
            double v = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            return v < 0 ? OptionalDouble.empty() : OptionalDouble.of(v);
        }
    }
}
