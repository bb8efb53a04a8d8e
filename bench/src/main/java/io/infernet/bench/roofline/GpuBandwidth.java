package io.infernet.bench.roofline;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Nominal memory bandwidth of common GPUs, from the vendors' datasheets. Java cannot measure GPU
 * memory, so a GPU roofline uses these (or {@code --gpu-bandwidth}); the report says which.
 * Entries are matched in order against the GPU's name, so the more specific comes first.
 */
public final class GpuBandwidth {
    private GpuBandwidth() {}

    private record Entry(List<String> needles, double gbps, String name) {}

    private static final List<Entry> TABLE = List.of(
            new Entry(List.of("h200"), 4800, "H200"),
            new Entry(List.of("h100", "nvl"), 3900, "H100 NVL"),
            new Entry(List.of("h100", "pcie"), 2000, "H100 PCIe"),
            new Entry(List.of("h100"), 3350, "H100 SXM"),
            new Entry(List.of("a100", "40gb"), 1555, "A100 40GB"),
            new Entry(List.of("a100", "pcie"), 1935, "A100 80GB PCIe"),
            new Entry(List.of("a100"), 2039, "A100 80GB SXM"),
            new Entry(List.of("l40s"), 864, "L40S"),
            new Entry(List.of("rtx 6000 ada"), 960, "RTX 6000 Ada"),
            new Entry(List.of("4090"), 1008, "RTX 4090"),
            new Entry(List.of("4080"), 717, "RTX 4080"),
            new Entry(List.of("3090"), 936, "RTX 3090"),
            new Entry(List.of("3080"), 760, "RTX 3080"),
            new Entry(List.of("4060 ti"), 288, "RTX 4060 Ti"),
            new Entry(List.of("a10"), 600, "A10"),
            new Entry(List.of("l4"), 300, "L4"),
            new Entry(List.of("t4"), 320, "T4"),
            new Entry(List.of("mi300x"), 5300, "MI300X"),
            new Entry(List.of("mi250"), 3277, "MI250X"));

    /** The datasheet figure for a GPU name, if it is in the table. */
    public static Optional<Bandwidth> nominal(String gpuName) {
        String n = gpuName.toLowerCase(Locale.ROOT);
        for (Entry e : TABLE) {
            if (e.needles.stream().allMatch(n::contains)) {
                return Optional.of(new Bandwidth(e.gbps, Double.NaN, 0, 0, "nominal (datasheet, " + e.name + ")"));
            }
        }
        return Optional.empty();
    }
}
