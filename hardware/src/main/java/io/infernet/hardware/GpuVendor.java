package io.infernet.hardware;

import java.util.Locale;

/** Who made a GPU; {@link #wire()} is the lowercase name the heartbeat's {@code gpus[].vendor} carries. */
public enum GpuVendor {
    NVIDIA("nvidia", "NVIDIA"),
    AMD("amd", "AMD"),
    APPLE("apple", "Apple"),
    INTEL("intel", "Intel"),
    UNKNOWN("unknown", "unknown-vendor");

    private final String wire;
    private final String display;

    GpuVendor(String wire, String display) {
        this.wire = wire;
        this.display = display;
    }

    /** The name for people: {@code NVIDIA}, {@code AMD}, {@code Apple}, {@code Intel}. */
    public String display() {
        return display;
    }

    /** The heartbeat spelling: {@code nvidia}, {@code amd}, {@code apple}, {@code intel} or {@code unknown}. */
    public String wire() {
        return wire;
    }

    /** The vendor of a PCI vendor id (lowercase hex, e.g. {@code 10de}); {@link #UNKNOWN} for any other. */
    public static GpuVendor ofPciId(String vendorId) {
        return switch (vendorId.toLowerCase(Locale.ROOT)) {
            case "10de" -> NVIDIA;
            case "1002" -> AMD;
            case "8086" -> INTEL;
            case "106b" -> APPLE;
            default -> UNKNOWN;
        };
    }

    /** A best guess from free text such as a GPU or backend description ("NVIDIA GeForce ...", "AMD Radeon ..."). */
    public static GpuVendor guess(String text) {
        String t = text.toLowerCase(Locale.ROOT);
        if (t.contains("nvidia") || t.contains("geforce") || t.contains("quadro") || t.contains("tesla") || t.startsWith("cuda")) {
            return NVIDIA;
        }
        if (t.contains("amd") || t.contains("radeon") || t.contains("instinct") || t.startsWith("rocm") || t.startsWith("hip")) {
            return AMD;
        }
        if (t.contains("apple") || t.startsWith("metal")) {
            return APPLE;
        }
        if (t.contains("intel") || t.contains("iris") || t.contains("arc ")) {
            return INTEL;
        }
        return UNKNOWN;
    }

    /** The vendor of a ggml device: guessed from its description, else from its name ({@code CUDA} is NVIDIA, {@code Metal} Apple). */
    public static GpuVendor of(io.infernet.runtime.BackendDevice d) {
        GpuVendor v = guess(d.description());
        return v != UNKNOWN ? v : guess(d.name());
    }
}
