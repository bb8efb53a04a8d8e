package io.infernet.hardware;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the kernel's files are: {@code /proc} and {@code /sys} on a real machine, a fixture tree
 * in tests ({@link #under(Path)}).
 *
 * @param proc the procfs root ({@code /proc})
 * @param sys  the sysfs root ({@code /sys})
 */
public record SystemPaths(Path proc, Path sys) {
    public SystemPaths {
        Objects.requireNonNull(proc, "proc");
        Objects.requireNonNull(sys, "sys");
    }

    /** The real {@code /proc} and {@code /sys}. */
    public static SystemPaths real() {
        return new SystemPaths(Path.of("/proc"), Path.of("/sys"));
    }

    /** {@code root/proc} and {@code root/sys}, for tests. */
    public static SystemPaths under(Path root) {
        return new SystemPaths(root.resolve("proc"), root.resolve("sys"));
    }
}
