package io.infernet.hardware;

import io.infernet.runtime.BackendDevice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Detects the hardware: runs the vendor tools, reads /proc and /sys (or sysctl on macOS), merges.
 * Every input is injectable so tests run it on fixtures; {@link #system()} is the real machine.
 *
 * <p>Never throws for missing tools or files: what could not be found carries a reason. A full
 * {@link #detect()} runs up to eight external programs (each limited to
 * {@link ToolRunner#DEFAULT_TIMEOUT}), typically well under a second on Linux; call it from a
 * platform or virtual thread that may block, not an event loop. Instances are immutable and
 * thread-safe.
 */
public final class HardwareProbe {

    private final ToolRunner tools;
    private final SystemPaths paths;
    private final OsKind os;
    private final BackendDeviceSource inProcess;
    private final JvmFacts jvm;
    private final Clock clock;

    public HardwareProbe(ToolRunner tools, SystemPaths paths, OsKind os, BackendDeviceSource inProcess, JvmFacts jvm, Clock clock) {
        this.tools = Objects.requireNonNull(tools, "tools");
        this.paths = Objects.requireNonNull(paths, "paths");
        this.os = Objects.requireNonNull(os, "os");
        this.inProcess = Objects.requireNonNull(inProcess, "inProcess");
        this.jvm = Objects.requireNonNull(jvm, "jvm");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** This machine: real tools on PATH, /proc and /sys, no in-process view. */
    public static HardwareProbe system() {
        return system(BackendDeviceSource.NONE);
    }

    /** This machine, with the runtime's in-process device view. */
    public static HardwareProbe system(BackendDeviceSource inProcess) {
        return new HardwareProbe(ToolRunner.system(), SystemPaths.real(), OsKind.current(), inProcess, JvmFacts.current(), Clock.systemUTC());
    }

    /** Everything: CPU, RAM, load, every GPU source, interconnects. */
    public HardwareReport detect() {
        List<String> notes = new ArrayList<>();
        CpuInfo cpu = cpu(notes);
        MemInfo memory = memory(notes);
        OptionalDouble load = loadAvg(notes);
        SourceReport nvidia = NvidiaSource.detect(tools);
        SourceReport amd = AmdSource.detect(tools);
        SourceReport apple = AppleSource.detect(tools, os);
        SourceReport lspci = os == OsKind.LINUX ? LspciSource.detect(tools)
                : SourceReport.none(DetectionSource.LSPCI, "lspci is used on Linux only");
        List<BackendDevice> devices = safeDevices();
        SourceReport inProc = inProcessReport(devices);
        List<Gpu> gpus = GpuMerge.merge(List.of(nvidia, amd, apple), lspci, devices);
        Interconnects interconnects = interconnects(nvidia.links(), amd.links());
        return new HardwareReport(cpu, memory, load, List.of(nvidia, amd, apple, lspci, inProc), gpus, interconnects, notes, clock.instant());
    }

    /**
     * A cheaper update of {@code previous} for periodic heartbeats: RAM, load, and the GPUs' free
     * memory and utilization (re-running only the nvidia-smi and rocm-smi queries, and only for
     * sources that found GPUs before, plus the in-process view). CPU, interconnects and the
     * sources that found nothing are kept as they were. A query that fails now keeps the previous
     * GPUs and adds a note.
     */
    public HardwareReport refresh(HardwareReport previous) {
        List<String> notes = new ArrayList<>();
        MemInfo memory = memory(notes);
        OptionalDouble load = loadAvg(notes);
        SourceReport nvidia = requery(previous.source(DetectionSource.NVIDIA), NvidiaSmi.QUERY, "nvidia-smi", NvidiaSmi::parseQuery, notes);
        SourceReport amd = requery(previous.source(DetectionSource.AMD), RocmSmi.QUERY, "rocm-smi", RocmSmi::parseDevices, notes);
        SourceReport apple = previous.source(DetectionSource.APPLE);
        SourceReport lspci = previous.source(DetectionSource.LSPCI);
        List<BackendDevice> devices = safeDevices();
        List<Gpu> gpus = GpuMerge.merge(List.of(nvidia, amd, apple), lspci, devices);
        return new HardwareReport(previous.cpu(), memory, load, List.of(nvidia, amd, apple, lspci, inProcessReport(devices)), gpus,
                previous.interconnects(), notes, clock.instant());
    }

    private SourceReport requery(SourceReport before, List<String> command, String program,
                                 java.util.function.Function<String, List<Gpu>> parse, List<String> notes) {
        if (!before.found()) {
            return before;
        }
        ToolResult r = tools.run(command);
        String why = ToolResult.reasonOf(program, r);
        if (why == null) {
            try {
                List<Gpu> gpus = parse.apply(((ToolResult.Completed) r).stdout());
                if (!gpus.isEmpty()) {
                    return new SourceReport(before.source(), gpus, Optional.empty(), before.links(), before.notes());
                }
                why = program + " listed no GPUs";
            } catch (UnreadableOutputException e) {
                why = "could not read " + program + " output: " + e.getMessage();
            }
        }
        notes.add("refresh kept the previous " + before.source().id() + " GPUs: " + why);
        return before;
    }

    private List<BackendDevice> safeDevices() {
        try {
            return List.copyOf(inProcess.devices());
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    private SourceReport inProcessReport(List<BackendDevice> devices) {
        List<Gpu> gpus = new ArrayList<>();
        for (int i = 0; i < devices.size(); i++) {
            if (devices.get(i).isGpu()) {
                gpus.add(GpuMerge.fromDevice(devices.get(i), i));
            }
        }
        if (gpus.isEmpty()) {
            String why = devices.isEmpty() ? inProcess.unavailableReason() : "the ggml backends list no GPU (only " + devices.stream().map(BackendDevice::name).toList() + ")";
            return SourceReport.none(DetectionSource.IN_PROCESS, why);
        }
        return SourceReport.found(DetectionSource.IN_PROCESS, gpus, GpuLinks.NONE, List.of());
    }

    private Interconnects interconnects(GpuLinks nvlink, GpuLinks xgmi) {
        if (os != OsKind.LINUX) {
            return new Interconnects(nvlink, xgmi, new Interconnects.InfiniBand(0, List.of()), new Interconnects.Efa(List.of()), 0,
                    false, List.of());
        }
        RdmaProbe.Result r = RdmaProbe.probe(paths.sys(), tools, os);
        boolean rdma = r.infiniband().available() || r.roceActivePorts() > 0 || r.efa().available();
        return new Interconnects(nvlink, xgmi, r.infiniband(), r.efa(), r.roceActivePorts(), rdma, r.notes());
    }

    private CpuInfo cpu(List<String> notes) {
        String arch = CpuInfo.wireArch(jvm.osArch());
        int logical = Math.max(1, jvm.availableProcessors());
        if (os == OsKind.LINUX) {
            Optional<String> text = read(paths.proc().resolve("cpuinfo"), notes);
            int numa = LinuxProc.countNumaNodes(paths.sys());
            if (text.isPresent()) {
                LinuxProc.CpuFacts f = LinuxProc.parseCpuInfo(text.get());
                int threads = f.logicalCores() > 0 ? f.logicalCores() : logical;
                int cores = f.physicalCores().orElse(logical);
                return new CpuInfo(f.vendor(), f.model(), arch, cores, threads, numa);
            }
            return new CpuInfo(Optional.empty(), Optional.empty(), arch, logical, logical, numa);
        }
        if (os == OsKind.MAC) {
            Optional<String> brand = sysctl("machdep.cpu.brand_string", notes);
            int cores = sysctl("hw.physicalcpu", notes).flatMap(HardwareProbe::positiveInt).orElse(logical);
            int threads = sysctl("hw.logicalcpu", notes).flatMap(HardwareProbe::positiveInt).orElse(logical);
            return new CpuInfo(brand.flatMap(CpuInfo::vendorOf), brand, arch, cores, threads, 1);
        }
        return new CpuInfo(Optional.empty(), Optional.empty(), arch, logical, logical, 1);
    }

    private MemInfo memory(List<String> notes) {
        if (os == OsKind.LINUX) {
            Optional<String> text = read(paths.proc().resolve("meminfo"), notes);
            if (text.isPresent()) {
                try {
                    return LinuxProc.parseMemInfo(text.get());
                } catch (UnreadableOutputException e) {
                    notes.add("meminfo: " + e.getMessage());
                }
            }
        } else if (os == OsKind.MAC) {
            Optional<Long> size = sysctl("hw.memsize", notes).flatMap(s -> {
                try {
                    return Optional.of(SystemProfiler.parseMemsize(s));
                } catch (UnreadableOutputException e) {
                    return Optional.empty();
                }
            });
            if (size.isPresent()) {
                return new MemInfo(size.get(), Math.min(size.get(), Math.max(0, jvm.freeMemoryBytes())));
            }
        }
        notes.add("RAM from the JVM's view (free = free pages, an underestimate)");
        return new MemInfo(Math.max(1, jvm.totalMemoryBytes()), Math.max(0, Math.min(jvm.totalMemoryBytes(), jvm.freeMemoryBytes())));
    }

    private OptionalDouble loadAvg(List<String> notes) {
        if (os == OsKind.LINUX) {
            Optional<String> text = read(paths.proc().resolve("loadavg"), notes);
            if (text.isPresent()) {
                try {
                    return OptionalDouble.of(LinuxProc.parseLoadAvg(text.get()));
                } catch (UnreadableOutputException e) {
                    notes.add("loadavg: " + e.getMessage());
                }
            }
        }
        return jvm.loadAverage();
    }

    private Optional<String> sysctl(String name, List<String> notes) {
        ToolResult r = tools.run(List.of("sysctl", "-n", name));
        String why = ToolResult.reasonOf("sysctl", r);
        if (why != null) {
            notes.add("sysctl " + name + ": " + why);
            return Optional.empty();
        }
        String out = ((ToolResult.Completed) r).stdout().strip();
        return out.isEmpty() ? Optional.empty() : Optional.of(out);
    }

    private static Optional<Integer> positiveInt(String s) {
        try {
            int v = Integer.parseInt(s.strip());
            return v > 0 ? Optional.of(v) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> read(Path file, List<String> notes) {
        try {
            return Optional.of(Files.readString(file));
        } catch (IOException | RuntimeException e) {
            notes.add("could not read " + file + ": " + e.getMessage());
            return Optional.empty();
        }
    }
}
