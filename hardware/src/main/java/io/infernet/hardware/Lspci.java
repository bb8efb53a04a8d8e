package io.infernet.hardware;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parser for {@code lspci -nn}: the display controllers (PCI class 03xx: VGA, 3D, Display) of
 * NVIDIA (10de), AMD (1002) and Intel (8086). Others (a server's ASPEED or Matrox BMC VGA) are not
 * GPUs for inference and are skipped. lspci knows no memory sizes: VRAM stays unknown.
 */
public final class Lspci {
    private Lspci() {}

    public static final List<String> COMMAND = List.of("lspci", "-nn");

    /** {@code 01:00.0 VGA compatible controller [0300]: NVIDIA Corporation AD102 [GeForce RTX 4090] [10de:2684] (rev a1)}. */
    private static final Pattern LINE = Pattern.compile(
            "^(\\S+)\\s+.*?\\[(03[0-9a-fA-F]{2})]:\\s+(.*?)\\s+\\[([0-9a-fA-F]{4}):([0-9a-fA-F]{4})](?:\\s+\\(rev [0-9a-fA-F]+\\))?\\s*$");
    private static final Pattern COMPANY = Pattern.compile(
            "^(NVIDIA Corporation|Advanced Micro Devices, Inc\\. \\[AMD/ATI]|Advanced Micro Devices, Inc\\.|ATI Technologies Inc|Intel Corporation)\\s*");

    /** The GPUs among the lines, in order, indexed from 0; lines of other devices are ignored. */
    public static List<Gpu> parse(String text) {
        List<Gpu> gpus = new ArrayList<>();
        for (String line : text.split("\\R")) {
            Matcher m = LINE.matcher(line.strip());
            if (!m.matches()) {
                continue;
            }
            GpuVendor vendor = GpuVendor.ofPciId(m.group(4));
            if (vendor != GpuVendor.NVIDIA && vendor != GpuVendor.AMD && vendor != GpuVendor.INTEL) {
                continue;
            }
            String device = COMPANY.matcher(m.group(3)).replaceFirst("").strip();
            String model = switch (vendor) {
                case NVIDIA -> "NVIDIA ";
                case AMD -> "AMD ";
                default -> "Intel ";
            } + (device.isEmpty() ? "device " + m.group(5) : device);
            gpus.add(new Gpu(vendor, gpus.size(), model, OptionalLong.empty(), OptionalLong.empty(), OptionalInt.empty(),
                    Gpu.normalizeBusId(m.group(1)), Optional.empty(), false, DetectionSource.LSPCI));
        }
        return gpus;
    }
}
