package io.infernet.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** How many physical cores this machine has: the right default thread count for ggml. */
public final class CpuTopology {
    private CpuTopology() {}

    private static volatile int cached;

    /**
     * Physical cores (not hyper-threads), limited to the processors this JVM may use. ggml's
     * workers spin; more threads than cores makes generation several times slower.
     */
    public static int physicalCores() {
        int c = cached;
        if (c == 0) {
            c = Math.max(1, Math.min(fromCpuinfo(Path.of("/proc/cpuinfo")), Runtime.getRuntime().availableProcessors()));
            cached = c;
        }
        return c;
    }

    /** Counts distinct (physical id, core id) pairs; falls back to the processor count. */
    static int fromCpuinfo(Path cpuinfo) {
        List<String> lines;
        try {
            lines = Files.readAllLines(cpuinfo);
        } catch (IOException | RuntimeException e) {
            return Runtime.getRuntime().availableProcessors();
        }
        return countCores(lines);
    }

    static int countCores(List<String> lines) {
        Set<String> cores = new HashSet<>();
        String physical = "0";
        int processors = 0;
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            switch (key) {
                case "processor" -> processors++;
                case "physical id" -> physical = value;
                case "core id" -> cores.add(physical + "/" + value);
                default -> {
                }
            }
        }
        if (!cores.isEmpty()) {
            return cores.size();
        }
        return processors > 0 ? processors : Runtime.getRuntime().availableProcessors();
    }
}
