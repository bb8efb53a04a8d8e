package io.infernet.hardware;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * Everything detection found at one moment. Local: it holds exact VRAM and model names; what
 * leaves the machine is {@link HardwareSpecs#toJson()}.
 *
 * @param cpu           the CPU
 * @param memory        system RAM
 * @param loadAvg1m     1-minute load average; empty where the OS has none
 * @param sources       one report per {@link DetectionSource}, in enum order, each with its reason when it found nothing
 * @param gpus          the merged GPU list ({@link GpuMerge})
 * @param interconnects NVLink, xGMI, InfiniBand, EFA
 * @param notes         problems that did not stop detection (a /proc file unreadable, a fallback used)
 * @param detectedAt    when detection finished
 */
public record HardwareReport(CpuInfo cpu, MemInfo memory, OptionalDouble loadAvg1m, List<SourceReport> sources, List<Gpu> gpus,
                             Interconnects interconnects, List<String> notes, Instant detectedAt) {

    public HardwareReport {
        Objects.requireNonNull(cpu, "cpu");
        Objects.requireNonNull(memory, "memory");
        Objects.requireNonNull(loadAvg1m, "loadAvg1m");
        Objects.requireNonNull(interconnects, "interconnects");
        Objects.requireNonNull(detectedAt, "detectedAt");
        sources = List.copyOf(sources);
        gpus = List.copyOf(gpus);
        notes = List.copyOf(notes);
    }

    /** The report of one source. */
    public SourceReport source(DetectionSource which) {
        return sources.stream().filter(s -> s.source() == which).findFirst()
                .orElseThrow(() -> new IllegalStateException("no report for source " + which.id()));
    }

    /** The node tier decided from {@link #gpus()}. */
    public NodeTier tier() {
        return NodeTier.of(gpus);
    }
}
