package io.infernet.node.protocol.daemon;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.engines.Json;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Test double: specs from the JVM and Linux's /proc and /sys, without GPUs: CPU vendor, arch, cores, NUMA
 * node count as {@code groups}, RAM, load average. It reports {@code gpu_count: 0} and no
 * interconnects; it stands in until the hardware detection is wired in.
 */
public final class BasicSpecsProvider implements SpecsProvider {

    private final Path proc;
    private final Path sys;

    public BasicSpecsProvider() {
        this(Path.of("/proc"), Path.of("/sys"));
    }

    BasicSpecsProvider(Path proc, Path sys) {
        this.proc = proc;
        this.sys = sys;
    }

    @Override
    public ObjectNode hardware() {
        ObjectNode h = Json.object();
        h.putObject("cpu")
                .put("vendor", cpuVendor())
                .put("arch", arch(System.getProperty("os.arch")))
                .put("cores", Runtime.getRuntime().availableProcessors())
                .put("groups", numaNodes())
                .put("ram_gb", gb(memInfo("MemTotal")));
        h.put("gpu_count", 0);
        h.putArray("gpus");
        ObjectNode ic = h.putObject("interconnects");
        ic.putObject("nvlink").put("available", false).putNull("topology").put("link_count", 0);
        ic.putObject("xgmi").put("available", false).putNull("topology").put("link_count", 0);
        ic.putObject("infiniband").put("available", false).put("active_port_count", 0);
        ic.putObject("efa").put("available", false).put("adapter_count", 0);
        ic.put("rdma_capable", false);
        return h;
    }

    @Override
    public ObjectNode load() {
        ObjectNode l = Json.object();
        double avg = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        if (avg >= 0) {
            l.put("load_avg_1m", Math.round(avg * 100) / 100.0);
        } else {
            l.putNull("load_avg_1m");
        }
        l.putObject("ram").put("total_gb", gb(memInfo("MemTotal"))).put("free_gb", gb(memInfo("MemAvailable")));
        l.putObject("vram").put("total_gb", 0).put("free_gb", 0);
        l.put("gpu_utilization_max", 0);
        return l;
    }

    /** Node's {@code process.arch} names: x64, arm64, ... */
    static String arch(String osArch) {
        String a = osArch == null ? "" : osArch.toLowerCase(Locale.ROOT);
        return switch (a) {
            case "amd64", "x86_64" -> "x64";
            case "aarch64", "arm64" -> "arm64";
            case "x86", "i386", "i686" -> "ia32";
            default -> a.isEmpty() ? "unknown" : a;
        };
    }

    private String cpuVendor() {
        for (String line : lines(proc.resolve("cpuinfo"))) {
            if (line.startsWith("vendor_id")) {
                String v = line.substring(line.indexOf(':') + 1).trim();
                return switch (v) {
                    case "GenuineIntel" -> "intel";
                    case "AuthenticAMD" -> "amd";
                    default -> v.toLowerCase(Locale.ROOT);
                };
            }
            if (line.startsWith("CPU implementer")) {
                return "arm";
            }
        }
        return "unknown";
    }

    private int numaNodes() {
        Path nodes = sys.resolve("devices/system/node");
        if (!Files.isDirectory(nodes)) {
            return 1;
        }
        try (Stream<Path> s = Files.list(nodes)) {
            long n = s.filter(p -> p.getFileName().toString().matches("node\\d+")).count();
            return (int) Math.max(1, n);
        } catch (IOException e) {
            return 1;
        }
    }

    /** A /proc/meminfo field in bytes, falling back to the JVM's view of physical memory. */
    private long memInfo(String field) {
        for (String line : lines(proc.resolve("meminfo"))) {
            if (line.startsWith(field + ":")) {
                String[] parts = line.substring(field.length() + 1).trim().split("\\s+");
                try {
                    return Long.parseLong(parts[0]) * 1024L;
                } catch (NumberFormatException e) {
                    break;
                }
            }
        }
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return field.equals("MemTotal") ? os.getTotalMemorySize() : os.getFreeMemorySize();
        }
        return 0;
    }

    private static double gb(long bytes) {
        return Math.round(bytes / 1e9 * 10) / 10.0;
    }

    private static List<String> lines(Path p) {
        try {
            return Files.readAllLines(p);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
