package io.infernet.hardware;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The host CPU, in the heartbeat's terms.
 *
 * @param vendor        lowercase vendor ({@code intel}, {@code amd}, {@code apple}, {@code ampere},
 *                      {@code arm}, ...); empty when unknown (sent as JSON null)
 * @param model         model name ({@code AMD EPYC 9654 96-Core Processor}); shown locally, never sent
 * @param arch          Node.js spelling of the architecture ({@code x64}, {@code arm64}), as the
 *                      existing node sends it
 * @param physicalCores cores, not hardware threads
 * @param logicalCores  hardware threads the OS schedules on
 * @param numaNodes     NUMA nodes (the heartbeat's {@code groups}); 1 when the kernel shows none
 */
public record CpuInfo(Optional<String> vendor, Optional<String> model, String arch, int physicalCores, int logicalCores, int numaNodes) {
    public CpuInfo {
        Objects.requireNonNull(vendor, "vendor");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(arch, "arch");
        if (physicalCores < 1 || logicalCores < 1 || numaNodes < 1) {
            throw new IllegalArgumentException("CPU counts must be >= 1, got cores=" + physicalCores + " threads=" + logicalCores + " numa=" + numaNodes);
        }
    }

    /** Java's {@code os.arch} in Node.js's words: {@code amd64}/{@code x86_64} is {@code x64}, {@code aarch64} is {@code arm64}. */
    public static String wireArch(String osArch) {
        String a = osArch.toLowerCase(Locale.ROOT);
        return switch (a) {
            case "amd64", "x86_64" -> "x64";
            case "aarch64", "arm64" -> "arm64";
            case "x86", "i386", "i486", "i586", "i686" -> "ia32";
            case "ppc64le" -> "ppc64";
            default -> a;
        };
    }

    /** A vendor from {@code vendor_id} or a brand string: GenuineIntel/Intel is intel, AuthenticAMD/AMD/EPYC/Ryzen is amd, Apple is apple. */
    public static Optional<String> vendorOf(String text) {
        String t = text.toLowerCase(Locale.ROOT);
        if (t.contains("genuineintel") || t.contains("intel")) {
            return Optional.of("intel");
        }
        if (t.contains("authenticamd") || t.contains("amd") || t.contains("epyc") || t.contains("ryzen") || t.contains("threadripper")) {
            return Optional.of("amd");
        }
        if (t.contains("hygon")) {
            return Optional.of("hygon");
        }
        if (t.contains("apple")) {
            return Optional.of("apple");
        }
        if (t.contains("graviton")) {
            return Optional.of("aws");
        }
        if (t.contains("ampere")) {
            return Optional.of("ampere");
        }
        return Optional.empty();
    }

    /** An ARM {@code CPU implementer} code ({@code 0x41}) as a vendor. */
    public static Optional<String> vendorOfArmImplementer(String code) {
        return switch (code.strip().toLowerCase(Locale.ROOT)) {
            case "0x41" -> Optional.of("arm");
            case "0x61" -> Optional.of("apple");
            case "0xc0" -> Optional.of("ampere");
            case "0x51" -> Optional.of("qualcomm");
            case "0x48" -> Optional.of("hisilicon");
            case "0x4e" -> Optional.of("nvidia");
            default -> Optional.empty();
        };
    }
}
