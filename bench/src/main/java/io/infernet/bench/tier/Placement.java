package io.infernet.bench.tier;

/** Where a tier's model runs: all layers on the GPUs, or on the CPU. */
public enum Placement {
    GPU, CPU;

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
