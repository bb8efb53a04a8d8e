package io.infernet.hardware;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * One GPU as a detection source saw it. Exact VRAM stays on this machine: the heartbeat carries
 * only its {@link WireTier}.
 *
 * @param vendor             who made it
 * @param index              position within its source (nvidia-smi index, rocm-smi card number, ...)
 * @param model              marketing or PCI name, as the source printed it (never blank)
 * @param vramTotalBytes     memory the GPU can use, bytes; for {@code unifiedMemory} the machine's
 *                           RAM (the VRAM-equivalent rule); empty when the source cannot tell (lspci)
 * @param vramFreeBytes      memory free now, bytes; empty when unknown
 * @param utilizationPercent busy percentage 0..100 over the tool's last sample; empty when unknown
 * @param pciBusId           PCI address normalized to {@code dddd:bb:dd.f} lowercase; empty when unknown
 * @param driver             driver version as the tool printed it; empty when unknown
 * @param unifiedMemory      true when the GPU shares the machine's RAM (Apple Silicon)
 * @param source             which detection source reported it
 */
public record Gpu(GpuVendor vendor, int index, String model, OptionalLong vramTotalBytes, OptionalLong vramFreeBytes,
                  OptionalInt utilizationPercent, Optional<String> pciBusId, Optional<String> driver, boolean unifiedMemory,
                  DetectionSource source) {

    public Gpu {
        Objects.requireNonNull(vendor, "vendor");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(vramTotalBytes, "vramTotalBytes");
        Objects.requireNonNull(vramFreeBytes, "vramFreeBytes");
        Objects.requireNonNull(utilizationPercent, "utilizationPercent");
        Objects.requireNonNull(pciBusId, "pciBusId");
        Objects.requireNonNull(driver, "driver");
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("GPU model must not be blank");
        }
        model = model.strip();
        if (index < 0) {
            throw new IllegalArgumentException("GPU index must be >= 0, got " + index);
        }
        if (vramTotalBytes.isPresent() && vramTotalBytes.getAsLong() < 0) {
            throw new IllegalArgumentException("vramTotalBytes must be >= 0, got " + vramTotalBytes.getAsLong());
        }
        if (vramFreeBytes.isPresent() && vramFreeBytes.getAsLong() < 0) {
            throw new IllegalArgumentException("vramFreeBytes must be >= 0, got " + vramFreeBytes.getAsLong());
        }
        if (utilizationPercent.isPresent() && (utilizationPercent.getAsInt() < 0 || utilizationPercent.getAsInt() > 100)) {
            throw new IllegalArgumentException("utilizationPercent must be 0..100, got " + utilizationPercent.getAsInt());
        }
    }

    /** This GPU's tier on the wire (exact cuts, see {@link WireTier}). */
    public WireTier wireTier() {
        return WireTier.of(vramTotalBytes);
    }

    /** A copy with {@code vramFreeBytes} replaced. */
    public Gpu withVramFree(OptionalLong free) {
        return new Gpu(vendor, index, model, vramTotalBytes, free, utilizationPercent, pciBusId, driver, unifiedMemory, source);
    }

    /**
     * Normalizes a PCI address: nvidia-smi prints {@code 00000000:01:00.0} (32-bit domain),
     * lspci {@code 01:00.0} (domain 0 implied). Both become {@code 0000:01:00.0}.
     */
    public static Optional<String> normalizeBusId(String raw) {
        if (raw == null) {
            return Optional.empty();
        }
        String s = raw.strip().toLowerCase(java.util.Locale.ROOT);
        var m = java.util.regex.Pattern.compile("^(?:([0-9a-f]{1,8}):)?([0-9a-f]{2}):([0-9a-f]{2})\\.([0-7])$").matcher(s);
        if (!m.matches()) {
            return Optional.empty();
        }
        long domain = m.group(1) == null ? 0 : Long.parseLong(m.group(1), 16);
        return Optional.of(String.format("%04x:%s:%s.%s", domain, m.group(2), m.group(3), m.group(4)));
    }
}
