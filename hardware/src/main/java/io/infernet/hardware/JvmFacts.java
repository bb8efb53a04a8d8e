package io.infernet.hardware;

import java.lang.management.ManagementFactory;
import java.util.OptionalDouble;

/**
 * What the JVM knows about the host, used where the OS-specific sources are missing (and to
 * fill {@code cores} when /proc/cpuinfo has no core ids).
 *
 * @param osArch              {@code os.arch}
 * @param availableProcessors logical CPUs this JVM may use
 * @param totalMemoryBytes    physical RAM, bytes
 * @param freeMemoryBytes     free physical RAM, bytes (on macOS: free pages only, an underestimate)
 * @param loadAverage         1-minute load average; empty where unsupported
 */
public record JvmFacts(String osArch, int availableProcessors, long totalMemoryBytes, long freeMemoryBytes, OptionalDouble loadAverage) {

    /** This JVM's view. */
    public static JvmFacts current() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        long total = 0;
        long free = 0;
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            total = sun.getTotalMemorySize();
            free = sun.getFreeMemorySize();
        }
        double load = os.getSystemLoadAverage();
        return new JvmFacts(System.getProperty("os.arch", "unknown"), Runtime.getRuntime().availableProcessors(),
                total, free, load >= 0 ? OptionalDouble.of(load) : OptionalDouble.empty());
    }
}
