package io.infernet.bench.report;

import io.infernet.natives.NativePin;
import io.infernet.hardware.Gpu;
import io.infernet.hardware.HardwareReport;
import io.infernet.hardware.Units;
import java.util.List;
import java.util.Objects;

/**
 * The machine a report was measured on, as the report prints it.
 *
 * @param cpuModel          the CPU's model name
 * @param physicalCores     cores
 * @param logicalCores      hardware threads
 * @param ramTotalBytes     RAM
 * @param ramAvailableBytes RAM available when the run started
 * @param gpus              one line per GPU ("NVIDIA H100 80GB HBM3, 80 GiB"); empty without
 * @param os                name, version and architecture
 * @param jdk               the JVM's vendor and version
 * @param llamaCppPin       the pinned llama.cpp
 * @param loadAvg1m         1-minute load average when the run started; NaN when unknown
 */
public record MachineInfo(String cpuModel, int physicalCores, int logicalCores, long ramTotalBytes, long ramAvailableBytes, List<String> gpus,
                          String os, String jdk, String llamaCppPin, double loadAvg1m) {
    public MachineInfo {
        Objects.requireNonNull(cpuModel, "cpuModel");
        gpus = List.copyOf(gpus);
    }

    public static MachineInfo of(HardwareReport hw) {
        List<String> gpus = hw.gpus().stream().map(MachineInfo::gpuLine).toList();
        return new MachineInfo(hw.cpu().model().orElse("unknown CPU"), hw.cpu().physicalCores(), hw.cpu().logicalCores(),
                hw.memory().totalBytes(), hw.memory().availableBytes(), gpus,
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
                NativePin.ID + " (llama.cpp " + NativePin.LLAMA_CPP_RELEASE + ")", hw.loadAvg1m().orElse(Double.NaN));
    }

    private static String gpuLine(Gpu g) {
        return g.vendor().display() + " " + g.model()
                + (g.vramTotalBytes().isPresent() ? ", " + Units.gib(g.vramTotalBytes().getAsLong()) + " GiB" : "");
    }

    /**
     * A warning when the machine is too busy for timings: ggml's worker threads spin at barriers,
     * and with more runnable threads than cores a decode can get tens of times slower.
     */
    public static java.util.Optional<String> loadWarning(double loadAvg1m, int cores) {
        if (Double.isNaN(loadAvg1m) || loadAvg1m <= cores - 0.5) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(String.format(java.util.Locale.ROOT,
                "the 1-minute load average is %.2f on %d cores (above %.1f): other work is running, and ggml's spinning threads "
                        + "slow down badly when the CPU is oversubscribed. These timings are not trustworthy; measure on a quiet machine.",
                loadAvg1m, cores, cores - 0.5));
    }
}
