package io.infernet.bench.report;

import io.infernet.bench.compare.TierRun;
import io.infernet.bench.roofline.Bandwidth;
import io.infernet.bench.serving.ServingReport;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything one {@code infernet bench} run found: what the JSON holds and what the Markdown and
 * the charts show.
 *
 * @param smoke        marked as a smoke run (proves the harness; the numbers are not a measurement)
 * @param startedAt    when the run started
 * @param command      the exact command line
 * @param machine      the machine
 * @param loadWarning  the warning printed when the machine was busy
 * @param cpuBandwidth measured memory bandwidth, when a tier ran on the CPU
 * @param gpuBandwidth GPU memory bandwidth (nominal or given), when a tier ran on a GPU
 * @param tiers        every tier asked for, measured or skipped, in order
 * @param serving      the {@code --serving} results
 * @param buildCheck   the {@code --build-check} result
 * @param notes        general caveats
 */
public record BenchReport(boolean smoke, Instant startedAt, String command, MachineInfo machine, Optional<String> loadWarning,
                          Optional<Bandwidth> cpuBandwidth, Optional<Bandwidth> gpuBandwidth, List<TierRun> tiers,
                          Optional<ServingReport> serving, Optional<BuildCheckResult> buildCheck, List<String> notes) {
    public BenchReport {
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(machine, "machine");
        Objects.requireNonNull(loadWarning, "loadWarning");
        Objects.requireNonNull(cpuBandwidth, "cpuBandwidth");
        Objects.requireNonNull(gpuBandwidth, "gpuBandwidth");
        Objects.requireNonNull(serving, "serving");
        Objects.requireNonNull(buildCheck, "buildCheck");
        tiers = List.copyOf(tiers);
        notes = List.copyOf(notes);
    }
}
