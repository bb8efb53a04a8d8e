package io.infernet.bench.tier;

import io.infernet.runtime.gguf.SynthPreset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A benchmark tier: a VRAM tier of the seed's hardware requirements and the model shape that
 * stands for what that tier serves. The models are synthesized ({@link SynthPreset}: real shapes,
 * random weights), so throughput is that of a real dense model of the same shape and type.
 * {@link #DEMO} is not a VRAM tier: a small model for quick runs of the harness.
 */
public enum BenchTier {
    DEMO("demo", SynthPreset.DEMO, 0, "quick check of the harness, not a VRAM tier"),
    CPU("cpu", SynthPreset.L1B, 0, "CPU-only nodes: small models (1B-3B)"),
    GB8("8gb", SynthPreset.L7B, 8, ">=8gb (Entry): 7B models"),
    GB12("12gb", SynthPreset.L13B, 12, ">=12gb (Mid-Range): 7B-13B models"),
    GB24("24gb", SynthPreset.L33B, 24, ">=24gb (High-End): 14B-33B models"),
    GB48("48gb", SynthPreset.L70B, 48, ">=48gb (Flagship): 70B models");

    private final String id;
    private final SynthPreset preset;
    private final int minVramGib;
    private final String description;

    BenchTier(String id, SynthPreset preset, int minVramGib, String description) {
        this.id = id;
        this.preset = preset;
        this.minVramGib = minVramGib;
        this.description = description;
    }

    /** The name on the command line: {@code demo}, {@code cpu}, {@code 8gb}, ... */
    public String id() {
        return id;
    }

    /** The model shape the tier is measured with. */
    public SynthPreset preset() {
        return preset;
    }

    /** Nominal VRAM of the tier, GiB; 0 for the tiers that run on a CPU. */
    public int minVramGib() {
        return minVramGib;
    }

    /** Whether the tier's model is only worth running on a GPU (a CPU would take seconds per token). */
    public boolean needsGpu() {
        return minVramGib > 0;
    }

    public String description() {
        return description;
    }

    /** The model in words: "7b (Q4_0)". */
    public String modelLabel() {
        return preset.id() + " (" + preset.spec().weightType().ggmlName().toUpperCase(Locale.ROOT) + ")";
    }

    public static BenchTier parse(String s) {
        String wanted = s.strip().toLowerCase(Locale.ROOT).replace(">=", "");
        for (BenchTier t : values()) {
            if (t.id.equals(wanted)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown tier '" + s + "'; choose auto or one or more of " + ids() + " (comma-separated)");
    }

    /**
     * Parses {@code --tier}: {@code auto} means every VRAM tier ({@code cpu} to {@code 48gb}; the
     * planner then runs those that fit), otherwise a comma-separated list in the order given,
     * duplicates dropped.
     */
    public static List<BenchTier> parseList(String s) {
        if (s == null || s.isBlank()) {
            throw new IllegalArgumentException("--tier is empty; choose auto or one or more of " + ids());
        }
        if (s.strip().equalsIgnoreCase("auto")) {
            return List.of(CPU, GB8, GB12, GB24, GB48);
        }
        List<BenchTier> out = new ArrayList<>();
        for (String part : s.split(",")) {
            BenchTier t = parse(part);
            if (!out.contains(t)) {
                out.add(t);
            }
        }
        return List.copyOf(out);
    }

    public static String ids() {
        return Arrays.stream(values()).map(BenchTier::id).collect(Collectors.joining(", "));
    }
}
