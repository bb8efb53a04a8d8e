package io.infernet.hardware;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * The hardware parts of the heartbeat's {@code specs}, built from a {@link HardwareReport}.
 *
 * <p>For the daemon:
 * <pre>{@code
 * HardwareSpecs hw = HardwareSpecs.snapshot();         // detects now (blocking, < 1 s typically)
 * ObjectNode specs = hw.toJson();                       // cpu, gpu_count, gpus, interconnects, load{...}
 * specs.putArray("served_models").add("qwen2.5:7b");    // the daemon's own parts
 * ObjectNode load = (ObjectNode) specs.get("load");
 * load.put("active_jobs", 0).put("concurrency_cap", 4).put("measured_at", Instant.now().toString());
 * }</pre>
 * {@link #toJson()} returns a fresh node each call; the caller owns it. For a heartbeat every
 * 30 s, detect once and then {@link HardwareProbe#refresh refresh} (RAM, load, GPU free memory and
 * utilization only):
 * <pre>{@code
 * HardwareProbe probe = HardwareProbe.system();          // or system(inProcessView)
 * HardwareReport report = probe.detect();                 // at start
 * report = probe.refresh(report);                         // before each heartbeat
 * ObjectNode specs = new HardwareSpecs(report).toJson();
 * }</pre>
 *
 * <p>Shape and units (what leaves the machine):
 * <ul>
 * <li>{@code cpu {vendor, arch, cores, groups, ram_gb}}: vendor lowercase or null; arch in
 *     Node.js words ({@code x64}); cores = physical cores; groups = NUMA nodes; ram_gb = total RAM
 *     in GiB rounded to an integer (as the existing node does).</li>
 * <li>{@code gpu_count}, {@code gpus [{vendor, vram_tier, model}]}: model cut to 64 characters;
 *     never exact VRAM, only the {@link WireTier}.</li>
 * <li>{@code interconnects {nvlink {available, topology, link_count}, xgmi {...}, infiniband
 *     {available, active_port_count}, efa {available, adapter_count}, rdma_capable}};
 *     link_count = GPU pairs directly linked ({@link GpuLinks#gpuPairs()}).</li>
 * <li>{@code load {load_avg_1m, ram {total_gb, free_gb}, vram {total_gb, free_gb}, gpu_utilization_max}}:
 *     GiB with one decimal; vram sums the GPUs of known memory (0 with none), free_gb is null when
 *     some GPU's free memory is unknown; gpu_utilization_max is the busiest GPU's percent, null
 *     when no GPU reports one; load_avg_1m is null where the OS has none. The daemon adds
 *     {@code active_jobs}, {@code concurrency_cap} and {@code measured_at}.</li>
 * </ul>
 *
 * @param report what was detected
 */
public record HardwareSpecs(HardwareReport report) {

    /** The most characters of a GPU model sent, as the control plane stores it. */
    public static final int MODEL_MAX_CHARS = 64;

    public HardwareSpecs {
        Objects.requireNonNull(report, "report");
    }

    /** Detects this machine now ({@link HardwareProbe#system()}). */
    public static HardwareSpecs snapshot() {
        return new HardwareSpecs(HardwareProbe.system().detect());
    }

    /** Detects with the runtime's in-process device view. */
    public static HardwareSpecs snapshot(BackendDeviceSource inProcess) {
        return new HardwareSpecs(HardwareProbe.system(inProcess).detect());
    }

    /** The specs object (see the class comment for its exact shape). */
    public ObjectNode toJson() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode specs = f.objectNode();
        CpuInfo cpu = report.cpu();
        ObjectNode c = specs.putObject("cpu");
        if (cpu.vendor().isPresent()) {
            c.put("vendor", cpu.vendor().get());
        } else {
            c.putNull("vendor");
        }
        c.put("arch", cpu.arch());
        c.put("cores", cpu.physicalCores());
        c.put("groups", cpu.numaNodes());
        c.put("ram_gb", Math.round(report.memory().totalBytes() / (double) Units.GIB));

        specs.put("gpu_count", report.gpus().size());
        var gpus = specs.putArray("gpus");
        for (Gpu g : report.gpus()) {
            gpus.addObject()
                    .put("vendor", g.vendor().wire())
                    .put("vram_tier", g.wireTier().wire())
                    .put("model", truncate(g.model()));
        }

        ObjectNode ic = specs.putObject("interconnects");
        links(ic.putObject("nvlink"), report.interconnects().nvlink());
        links(ic.putObject("xgmi"), report.interconnects().xgmi());
        Interconnects.InfiniBand ib = report.interconnects().infiniband();
        ic.putObject("infiniband").put("available", ib.available()).put("active_port_count", ib.activePortCount());
        Interconnects.Efa efa = report.interconnects().efa();
        ic.putObject("efa").put("available", efa.available()).put("adapter_count", efa.adapterCount());
        ic.put("rdma_capable", report.interconnects().rdmaCapable());

        ObjectNode load = specs.putObject("load");
        if (report.loadAvg1m().isPresent()) {
            load.put("load_avg_1m", Math.round(report.loadAvg1m().getAsDouble() * 100) / 100.0);
        } else {
            load.putNull("load_avg_1m");
        }
        load.putObject("ram")
                .put("total_gb", Units.gibOneDecimal(report.memory().totalBytes()))
                .put("free_gb", Units.gibOneDecimal(report.memory().availableBytes()));
        long vramTotal = 0;
        long vramFree = 0;
        boolean freeKnown = true;
        for (Gpu g : report.gpus()) {
            if (g.vramTotalBytes().isPresent()) {
                vramTotal += g.vramTotalBytes().getAsLong();
                if (g.vramFreeBytes().isPresent()) {
                    vramFree += g.vramFreeBytes().getAsLong();
                } else {
                    freeKnown = false;
                }
            }
        }
        ObjectNode vram = load.putObject("vram").put("total_gb", Units.gibOneDecimal(vramTotal));
        if (freeKnown) {
            vram.put("free_gb", Units.gibOneDecimal(vramFree));
        } else {
            vram.putNull("free_gb");
        }
        OptionalInt util = report.gpus().stream().flatMapToInt(g -> g.utilizationPercent().stream()).max();
        if (util.isPresent()) {
            load.put("gpu_utilization_max", util.getAsInt());
        } else {
            load.putNull("gpu_utilization_max");
        }
        return specs;
    }

    /** {@code model} cut to {@link #MODEL_MAX_CHARS} characters, never inside a surrogate pair. */
    static String truncate(String model) {
        if (model.length() <= MODEL_MAX_CHARS) {
            return model;
        }
        int end = MODEL_MAX_CHARS;
        if (Character.isHighSurrogate(model.charAt(end - 1))) {
            end--;
        }
        return model.substring(0, end);
    }

    private static void links(ObjectNode o, GpuLinks l) {
        o.put("available", l.available()).put("topology", l.topology()).put("link_count", l.gpuPairs());
    }
}
