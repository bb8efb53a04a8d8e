package io.infernet.hardware;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/** Runs {@code nvidia-smi} (query, {@code topo -m}, {@code nvlink --status}) and reads its output with {@link NvidiaSmi}. */
final class NvidiaSource {
    private NvidiaSource() {}

    static SourceReport detect(ToolRunner tools) {
        ToolOutput<List<Gpu>> query = ToolOutput.read(tools, NvidiaSmi.QUERY, "nvidia-smi", "nvidia-smi output", NvidiaSmi::parseQuery);
        if (query.reason() != null) {
            return SourceReport.none(DetectionSource.NVIDIA, query.reason());
        }
        List<Gpu> gpus = query.value();
        if (gpus.isEmpty()) {
            return SourceReport.none(DetectionSource.NVIDIA, "nvidia-smi ran but listed no GPUs");
        }
        List<String> notes = new ArrayList<>();
        GpuLinks links = GpuLinks.NONE;
        if (gpus.size() > 1) {
            links = nvlink(tools, notes);
        }
        return SourceReport.found(DetectionSource.NVIDIA, gpus, links, notes);
    }

    /** NVLink pairs from {@code topo -m}, physical links from {@code nvlink --status}; problems become notes. */
    private static GpuLinks nvlink(ToolRunner tools, List<String> notes) {
        Set<GpuLinks.Pair> pairs = Set.of();
        ToolOutput<Set<GpuLinks.Pair>> topo = ToolOutput.read(tools, NvidiaSmi.TOPOLOGY, "nvidia-smi topo -m", "nvidia-smi topo -m",
                NvidiaSmi::parseTopology);
        if (topo.reason() != null) {
            notes.add("NVLink topology unknown: " + topo.reason());
        } else {
            pairs = topo.value();
        }
        OptionalInt active = OptionalInt.empty();
        ToolOutput<Integer> status = ToolOutput.read(tools, NvidiaSmi.NVLINK_STATUS, "nvidia-smi nvlink --status", "nvidia-smi nvlink --status",
                NvidiaSmi::parseActiveLinks);
        if (status.reason() != null) {
            notes.add("NVLink link count unknown: " + status.reason());
        } else {
            active = OptionalInt.of(status.value());
        }
        return GpuLinks.of(pairs, active);
    }
}
