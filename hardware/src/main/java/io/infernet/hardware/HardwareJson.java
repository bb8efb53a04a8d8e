package io.infernet.hardware;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The local, detailed JSON of a {@link HardwareReport} ({@code infernet gpu --json}): exact bytes,
 * reasons, notes, the node tier with its seed texts, and the heartbeat specs as they would be sent.
 * It stays on this machine; the heartbeat is {@link HardwareSpecs#toJson()}.
 */
public final class HardwareJson {
    private HardwareJson() {}

    public static ObjectNode of(HardwareReport r) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        root.put("detected_at", r.detectedAt().toString());
        ArrayNode sources = root.putArray("sources");
        for (SourceReport s : r.sources()) {
            ObjectNode o = sources.addObject().put("source", s.source().id()).put("found", s.found());
            putOpt(o, "reason", s.reason());
            gpus(o.putArray("gpus"), s.gpus());
            strings(o.putArray("notes"), s.notes());
        }
        gpus(root.putArray("gpus"), r.gpus());

        CpuInfo c = r.cpu();
        ObjectNode cpu = root.putObject("cpu");
        putOpt(cpu, "vendor", c.vendor());
        putOpt(cpu, "model", c.model());
        cpu.put("arch", c.arch()).put("physical_cores", c.physicalCores()).put("logical_cores", c.logicalCores()).put("numa_nodes", c.numaNodes());
        root.putObject("memory").put("total_bytes", r.memory().totalBytes()).put("available_bytes", r.memory().availableBytes());
        if (r.loadAvg1m().isPresent()) {
            root.put("load_avg_1m", r.loadAvg1m().getAsDouble());
        } else {
            root.putNull("load_avg_1m");
        }

        Interconnects ic = r.interconnects();
        ObjectNode i = root.putObject("interconnects");
        links(i.putObject("nvlink"), ic.nvlink());
        links(i.putObject("xgmi"), ic.xgmi());
        ObjectNode ib = i.putObject("infiniband").put("available", ic.infiniband().available()).put("active_port_count", ic.infiniband().activePortCount());
        strings(ib.putArray("devices"), ic.infiniband().devices());
        ObjectNode efa = i.putObject("efa").put("available", ic.efa().available()).put("adapter_count", ic.efa().adapterCount());
        strings(efa.putArray("devices"), ic.efa().devices());
        i.put("roce_active_ports", ic.roceActivePorts()).put("rdma_capable", ic.rdmaCapable());
        strings(i.putArray("notes"), ic.notes());

        NodeTier t = r.tier();
        UserTier u = t.userTier();
        ObjectNode tier = root.putObject("node_tier").put("id", u.id()).put("title", u.title()).put("explanation", t.explain())
                .put("pooled_gpus", t.pooledGpus()).put("pooled_vram_bytes", t.pooledBytes()).put("largest_gpu_tier", t.largestTier().id());
        putOpt(tier, "example_hardware", u.exampleHardware());
        tier.put("can_run", u.canRun());
        putOpt(tier, "expected_throughput", u.throughput());
        putOpt(tier, "recommended_backends", u.recommendedBackends());
        putOpt(tier, "notes", u.notes());
        tier.put("ram_min_gb", u.ramMinGb()).put("ram_recommended_gb", u.ramRecommendedGb()).put("disk_recommendation", u.diskRecommendation());

        strings(root.putArray("notes"), r.notes());
        root.set("heartbeat_specs", new HardwareSpecs(r).toJson());
        return root;
    }

    private static void gpus(ArrayNode arr, List<Gpu> gpus) {
        for (Gpu g : gpus) {
            ObjectNode o = arr.addObject().put("vendor", g.vendor().wire()).put("index", g.index()).put("model", g.model())
                    .put("source", g.source().id());
            putOpt(o, "vram_total_bytes", g.vramTotalBytes());
            putOpt(o, "vram_free_bytes", g.vramFreeBytes());
            OptionalInt u = g.utilizationPercent();
            if (u.isPresent()) {
                o.put("utilization_percent", u.getAsInt());
            } else {
                o.putNull("utilization_percent");
            }
            putOpt(o, "pci_bus_id", g.pciBusId());
            putOpt(o, "driver", g.driver());
            o.put("unified_memory", g.unifiedMemory()).put("wire_tier", g.wireTier().wire());
        }
    }

    private static void links(ObjectNode o, GpuLinks l) {
        o.put("available", l.available()).put("topology", l.topology()).put("link_count", l.gpuPairs());
        if (l.activeLinks().isPresent()) {
            o.put("active_links", l.activeLinks().getAsInt());
        } else {
            o.putNull("active_links");
        }
    }

    private static void strings(ArrayNode arr, List<String> values) {
        values.forEach(arr::add);
    }

    private static void putOpt(ObjectNode o, String key, Optional<String> v) {
        if (v.isPresent()) {
            o.put(key, v.get());
        } else {
            o.putNull(key);
        }
    }

    private static void putOpt(ObjectNode o, String key, OptionalLong v) {
        if (v.isPresent()) {
            o.put(key, v.getAsLong());
        } else {
            o.putNull(key);
        }
    }
}
