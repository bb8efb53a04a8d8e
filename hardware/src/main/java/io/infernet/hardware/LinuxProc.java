package io.infernet.hardware;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Stream;

/** Parsers for {@code /proc/cpuinfo}, {@code /proc/meminfo}, {@code /proc/loadavg} and the NUMA nodes of sysfs: pure functions of text (or of a directory). */
public final class LinuxProc {
    private LinuxProc() {}

    /**
     * What {@code /proc/cpuinfo} says.
     *
     * @param vendor        from {@code vendor_id} (x86) or {@code CPU implementer} (ARM)
     * @param model         {@code model name}, when the kernel prints one (ARM kernels often do not)
     * @param logicalCores  {@code processor} entries
     * @param physicalCores distinct ({@code physical id}, {@code core id}) pairs; empty when some entry lacks them (ARM, VMs)
     */
    public record CpuFacts(Optional<String> vendor, Optional<String> model, int logicalCores, OptionalInt physicalCores) {}

    public static CpuFacts parseCpuInfo(String text) {
        Optional<String> vendor = Optional.empty();
        Optional<String> model = Optional.empty();
        int logical = 0;
        Set<String> cores = new HashSet<>();
        boolean everyEntryHasIds = true;
        String physicalId = null;
        String coreId = null;
        boolean inEntry = false;
        for (String line : (text + "\n\n").split("\\R", -1)) {
            if (line.isBlank()) {
                if (inEntry) {
                    if (physicalId != null && coreId != null) {
                        cores.add(physicalId + "/" + coreId);
                    } else {
                        everyEntryHasIds = false;
                    }
                }
                inEntry = false;
                physicalId = null;
                coreId = null;
                continue;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).strip();
            String value = line.substring(colon + 1).strip();
            switch (key) {
                case "processor" -> {
                    logical++;
                    inEntry = true;
                }
                case "vendor_id" -> vendor = vendor.or(() -> CpuInfo.vendorOf(value));
                case "CPU implementer" -> vendor = vendor.or(() -> CpuInfo.vendorOfArmImplementer(value));
                case "model name" -> model = model.or(() -> value.isEmpty() ? Optional.empty() : Optional.of(value));
                case "physical id" -> physicalId = value;
                case "core id" -> coreId = value;
                default -> { }
            }
        }
        OptionalInt physical = everyEntryHasIds && !cores.isEmpty() ? OptionalInt.of(cores.size()) : OptionalInt.empty();
        if (vendor.isEmpty() && model.isPresent()) {
            vendor = CpuInfo.vendorOf(model.get());
        }
        return new CpuFacts(vendor, model, logical, physical);
    }

    /**
     * {@code MemTotal} and {@code MemAvailable} (kernels before 3.14 lack it: then
     * {@code MemFree + Buffers + Cached}), from kB to bytes.
     *
     * @throws UnreadableOutputException when there is no MemTotal
     */
    public static MemInfo parseMemInfo(String text) {
        long total = -1;
        long available = -1;
        long free = 0;
        long buffers = 0;
        long cached = 0;
        for (String line : text.split("\\R")) {
            String[] f = line.strip().split("\\s+");
            if (f.length < 2) {
                continue;
            }
            long kb;
            try {
                kb = Long.parseLong(f[1]);
            } catch (NumberFormatException e) {
                continue;
            }
            long bytes = f.length >= 3 && f[2].equalsIgnoreCase("kB") ? kb * 1024 : kb;
            switch (f[0]) {
                case "MemTotal:" -> total = bytes;
                case "MemAvailable:" -> available = bytes;
                case "MemFree:" -> free = bytes;
                case "Buffers:" -> buffers = bytes;
                case "Cached:" -> cached = bytes;
                default -> { }
            }
        }
        if (total <= 0) {
            throw new UnreadableOutputException("no MemTotal line in meminfo: " + UnreadableOutputException.quote(text));
        }
        return new MemInfo(total, available >= 0 ? available : Math.min(total, free + buffers + cached));
    }

    /**
     * The 1-minute load average, the first field of {@code /proc/loadavg}
     * ({@code 0.52 0.58 0.59 1/1024 12345}).
     *
     * @throws UnreadableOutputException when the first field is not a number
     */
    public static double parseLoadAvg(String text) {
        String[] f = text.strip().split("\\s+");
        try {
            double v = Double.parseDouble(f[0]);
            if (v < 0 || Double.isNaN(v)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new UnreadableOutputException("loadavg does not start with a load number: " + UnreadableOutputException.quote(text));
        }
    }

    /** NUMA nodes: {@code node<N>} directories under {@code sys/devices/system/node}; 1 when there are none or the folder is missing. */
    public static int countNumaNodes(Path sys) {
        Path dir = sys.resolve("devices/system/node");
        if (!Files.isDirectory(dir)) {
            return 1;
        }
        try (Stream<Path> s = Files.list(dir)) {
            long n = s.filter(p -> p.getFileName().toString().matches("node\\d+") && Files.isDirectory(p)).count();
            return n == 0 ? 1 : Math.toIntExact(n);
        } catch (IOException e) {
            return 1;
        }
    }
}
